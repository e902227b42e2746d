package org.tensorbridge.torch;

import org.tensorbridge.torch.internal.Runtime;

/**
 * Autograd recording for the current thread, as scopes that restore the previous mode when closed:
 * <pre>{@code try (var scope = GradMode.disabled()) { ...inference... }}</pre>
 * Like libtorch's grad mode it is per thread: close the scope on the thread that opened it.
 */
public final class GradMode implements AutoCloseable {
    private final boolean previous;
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private GradMode(boolean enabled) {
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
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("grad mode is per thread: close this scope on " + owner.getName());
        }
        closed = true;
        Runtime.setGradEnabled(previous);
    }
}
