package org.tensorbridge.ndarray;

/**
 * Memory for data that is about to be overwritten in full (file reads, operation results): recycled blocks
 * instead of fresh pages (no page faults, no zeroing). A block whose {@link NDBuffer#segment()} was handed
 * out is reused only after that segment's arena is closed, so a stale segment never reaches another
 * array's memory.
 */
public final class PooledMemory {
    private PooledMemory() {
    }

    /** A buffer of {@code bytes} with one count; its contents are unspecified (not zero-filled). */
    public static NDBuffer allocateUninitialized(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative byte size " + bytes);
        }
        return OutputPool.buffer(bytes);
    }
}
