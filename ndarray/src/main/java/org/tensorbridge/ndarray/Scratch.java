package org.tensorbridge.ndarray;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One operation's temporary buffers (the accumulators of its parallel parts, a row of partial sums): zeroed
 * blocks of {@link NDBuffer#allocate} (recycled from the output pool below 1 MiB), all given back when the
 * operation closes its scratch, on success or failure — no automatic arena per temporary, which the GC would
 * free some time later. Parts on the loop threads may ask for buffers concurrently.
 */
final class Scratch implements AutoCloseable {
    private final List<NDBuffer> buffers = new ArrayList<>();
    private boolean closed;

    /** {@code bytes} zero bytes, 64-byte aligned, valid until {@link #close()}. */
    MemorySegment zeroed(long bytes) {
        NDBuffer b = NDBuffer.allocate(bytes);
        synchronized (this) {
            if (!closed) {
                buffers.add(b);
                return b.memory();
            }
        }
        b.release();
        throw new IllegalStateException("scratch used after its operation ended");
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (NDBuffer b : buffers) {
            b.release();
        }
        buffers.clear();
    }
}
