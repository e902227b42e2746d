package org.tensorbridge.torch;

/**
 * A scope over per-thread libtorch state (grad mode, autocast, the current CUDA stream): closing it
 * restores the previous state, once, and only on the thread that opened it — closing it elsewhere would
 * change that other thread's state.
 */
abstract class ThreadBoundScope implements AutoCloseable {
    private final Thread owner = Thread.currentThread();
    private final String what;
    private boolean closed;

    ThreadBoundScope(String what) {
        this.what = what;
    }

    /** Puts back the state this scope replaced. */
    abstract void restore();

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException(what + " is per thread: close this scope on " + owner.getName()
                    + ", the thread that opened it");
        }
        closed = true;
        restore();
    }
}
