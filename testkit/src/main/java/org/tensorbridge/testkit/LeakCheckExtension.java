package org.tensorbridge.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.tensorbridge.core.LeakCheck;

/**
 * Fails a test class when a tensor or array became garbage without being closed, with the stack of its
 * creation (registered for every test through JUnit's extension auto-detection; the build turns leak
 * checking on). A leak is found when the GC collects it, so it may surface in the class after the one that
 * made it: the creation stack names the culprit either way.
 */
public final class LeakCheckExtension implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) {
        if (!LeakCheck.enabled()) {
            return;
        }
        LeakCheck.collectGarbage();
        LeakCheck.assertNoLeaks();
    }
}
