package org.tensorbridge.torch;

import org.tensorbridge.torch.internal.Runtime;

/**
 * Autograd recording for the current thread, as scopes that restore the previous mode when closed:
 * <pre>{@code try (var scope = GradMode.disabled()) { ...inference... }}</pre>
 * Like libtorch's grad mode it is per thread: close the scope on the thread that opened it.
 */
public final class GradMode extends ThreadBoundScope {
    private final boolean previous;

    private GradMode(boolean enabled) {
        super("grad mode");
        this.previous = Runtime.setGradEnabled(enabled);
    }

    /** {@code torch.no_grad()}. */
    public static GradMode disabled() {
        return new GradMode(false);
    }

    /** {@code torch.enable_grad()}. */
    public static GradMode enabled() {
        return new GradMode(true);
    }

    public static boolean isEnabled() {
        return Runtime.isGradEnabled();
    }

    @Override
    void restore() {
        Runtime.setGradEnabled(previous);
    }
}
