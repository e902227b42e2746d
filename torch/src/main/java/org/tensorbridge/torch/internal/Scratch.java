package org.tensorbridge.torch.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread native memory for out-parameters and operator arguments, so a hot call allocates nothing.
 * A call reads what it needs before returning; nested use within one call is not allowed. Memory of a
 * finished thread is reclaimed by the GC (automatic arena).
 */
final class Scratch {
    static final long SIZE = 64 * 1024;
    private static final ThreadLocal<MemorySegment> AREA =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SIZE, 64));

    private Scratch() {
    }

    /** The thread's scratch area if {@code bytes} fit, else a fresh automatic segment. */
    static MemorySegment get(long bytes) {
        return bytes <= SIZE ? AREA.get() : Arena.ofAuto().allocate(bytes, 64);
    }
}
