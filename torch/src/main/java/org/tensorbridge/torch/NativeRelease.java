package org.tensorbridge.torch;

import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Frees a small native handle (a stream or event handle) exactly once: on close, or through the Cleaner
 * when its owner was dropped unclosed. Holds only the pointer, never the owner.
 */
final class NativeRelease implements Runnable {
    private static final System.Logger LOG = System.getLogger(NativeRelease.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();

    private final MemorySegment pointer;
    private final Consumer<MemorySegment> free;
    private final AtomicBoolean done = new AtomicBoolean();

    private NativeRelease(MemorySegment pointer, Consumer<MemorySegment> free) {
        this.pointer = pointer;
        this.free = free;
    }

    static Cleaner.Cleanable register(Object owner, MemorySegment pointer, Consumer<MemorySegment> free) {
        return CLEANER.register(owner, new NativeRelease(pointer, free));
    }

    @Override
    public void run() {
        if (done.compareAndSet(false, true)) {
            try {
                free.accept(pointer);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "freeing a native handle failed", e);
            }
        }
    }
}
