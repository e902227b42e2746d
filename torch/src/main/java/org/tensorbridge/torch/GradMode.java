package org.tensorbridge.torch;

import org.tensorbridge.torch.internal.ThreadState;

/**
 * Autograd recording for the current Java thread, as scopes that restore the previous mode when closed:
 * <pre>{@code try (var scope = GradMode.disabled()) { ...inference... }}</pre>
 * The mode belongs to the Java thread — a virtual thread keeps it when it moves between OS threads — and
 * the scope must be closed on the thread that opened it.
 */
public final class GradMode extends ThreadBoundScope {
    private final ThreadState state = ThreadState.current();
    private final boolean previous;

    private GradMode(boolean enabled) {
        super("grad mode");
        this.previous = state.setGradEnabled(enabled);
    }

    /** {@code torch.no_grad()}. */
    public static GradMode disabled() {
        return new GradMode(false);
    }

    /** {@code torch.enable_grad()}. */
    public static GradMode enabled() {
        return new GradMode(true);
    }

    /** {@code torch.is_grad_enabled()} for the current Java thread. */
    public static boolean isEnabled() {
        return ThreadState.current().gradEnabled();
    }

    @Override
    void restore() {
        state.setGradEnabled(previous);
    }
}
