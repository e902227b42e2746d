package org.tensorbridge.ndarray;

/**
 * Memory for data that is about to be overwritten in full (file reads, operation results): buffers of 1 MiB
 * and more reuse recycled blocks instead of fresh pages (no page faults, no zeroing), each block in an
 * arena of its own that is closed before the block is reused, so a stale segment never reaches another
 * array's memory. Smaller buffers come from {@link NDBuffer#allocate}.
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
