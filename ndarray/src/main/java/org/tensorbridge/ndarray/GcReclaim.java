package org.tensorbridge.ndarray;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps memory in automatic arenas from piling up: the GC cannot see native memory, so once enough of it
 * has been released since the last collection, ask for one — as the JDK does for direct ByteBuffers.
 */
final class GcReclaim {
    private static final long TRIGGER_BYTES = 256L << 20;
    private static final AtomicLong RELEASED = new AtomicLong();

    private GcReclaim() {
    }

    static void released(java.lang.foreign.MemorySegment segment) {
        if (segment.isMapped()) {
            return;  // a file mapping costs address space, not memory
        }
        long total = RELEASED.addAndGet(segment.byteSize());
        if (total >= TRIGGER_BYTES && RELEASED.compareAndSet(total, 0)) {
            System.gc();
        }
    }
}
