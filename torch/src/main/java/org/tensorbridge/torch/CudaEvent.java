package org.tensorbridge.torch;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tensorbridge.torch.internal.Gpu;

/**
 * A CUDA event: a point in a stream's work that the host or other streams can wait for, and, when created
 * with timing, measure between.
 */
public final class CudaEvent implements AutoCloseable {
    private final MemorySegment pointer;
    private final boolean timing;
    private final Cleaner.Cleanable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CudaEvent(MemorySegment pointer, boolean timing) {
        this.pointer = pointer;
        this.timing = timing;
        this.release = NativeRelease.register(this, pointer, Gpu::freeEvent);
    }

    /** An event for ordering only (cheaper). */
    public static CudaEvent create() {
        return new CudaEvent(Gpu.newEvent(false), false);
    }

    /** An event that can also measure {@link #elapsedMillis(CudaEvent)}. */
    public static CudaEvent createTiming() {
        return new CudaEvent(Gpu.newEvent(true), true);
    }

    /** Records the event at the current end of {@code stream}'s queue. */
    public CudaEvent record(CudaStream stream) {
        Gpu.recordEvent(pointer(), stream.pointer());
        return this;
    }

    /** Records the event on the current stream. */
    public CudaEvent record() {
        Gpu.recordEvent(pointer(), MemorySegment.NULL);
        return this;
    }

    void blockStream(CudaStream stream) {
        Gpu.blockOnEvent(pointer(), stream.pointer());
    }

    /** Blocks the calling thread until the recorded work has finished. */
    public void synchronize() {
        Gpu.synchronizeEvent(pointer());
    }

    public boolean isDone() {
        return Gpu.queryEvent(pointer());
    }

    /** Milliseconds from this event to {@code end}; both must be timing events and recorded. */
    public double elapsedMillis(CudaEvent end) {
        if (!timing || !end.timing) {
            throw new IllegalStateException("elapsedMillis needs events made with CudaEvent.createTiming()");
        }
        return Gpu.elapsedMillis(pointer(), end.pointer());
    }

    private MemorySegment pointer() {
        if (closed.get()) {
            throw new IllegalStateException("event was closed");
        }
        return pointer;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.clean();
        }
    }
}
