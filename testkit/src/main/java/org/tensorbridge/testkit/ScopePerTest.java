package org.tensorbridge.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.tensorbridge.core.Scope;

/**
 * Runs each test of a class inside a {@link Scope}, for tests written in the natural style (views and
 * temporaries unnamed): what a test creates is closed when it ends. Opt in with
 * {@code @ExtendWith(ScopePerTest.class)}; tests of explicit closing stay outside scopes.
 */
public final class ScopePerTest implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ScopePerTest.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("scope", Scope.open());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Scope scope = context.getStore(NAMESPACE).remove("scope", Scope.class);
        if (scope != null) {
            scope.close();
        }
    }
}
