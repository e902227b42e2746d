package org.tensorbridge.torch;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tensorbridge.torch.internal.Gpu;
import org.tensorbridge.torch.internal.ThreadState;

/**
 * A CUDA stream from libtorch's pool: kernels and copies issued while it is current run in order on it,
 * concurrently with other streams.
 * <pre>{@code
 * try (CudaStream copies = CudaStream.create(0); var scope = copies.makeCurrent()) {
 *     gpu = batch.to(Device.cuda(0), true);   // async on `copies`
 * }
 * }</pre>
 */
public final class CudaStream implements AutoCloseable {
    private final MemorySegment pointer;
    private final Cleaner.Cleanable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CudaStream(MemorySegment pointer) {
        this.pointer = pointer;
        this.release = NativeRelease.register(this, pointer, Gpu::freeStream);
    }

    /** A stream from the pool of {@code cuda:deviceIndex}. */
    public static CudaStream create(int deviceIndex) {
        return new CudaStream(Gpu.newStream(deviceIndex, false));
    }

    public static CudaStream createHighPriority(int deviceIndex) {
        return new CudaStream(Gpu.newStream(deviceIndex, true));
    }

    /** The current stream of {@code cuda:deviceIndex} on this thread (the default stream unless changed). */
    public static CudaStream current(int deviceIndex) {
        return new CudaStream(Gpu.currentStream(deviceIndex));
    }

    /**
     * Makes this stream (and its device) current for this Java thread's calls until the returned scope is
     * closed, like PyTorch's {@code CUDAStreamGuard}. The setting belongs to the Java thread, also a virtual
     * one that moves between OS threads.
     */
    public Scope makeCurrent() {
        long[] mine = Gpu.streamInfo(pointer());
        return new Scope(ThreadState.current(), (int) mine[0], mine[1]);
    }

    /** Restores the previously current stream when closed, on the thread that made this one current. */
    public static final class Scope extends ThreadBoundScope {
        private final ThreadState state;
        private final long[] previous;

        private Scope(ThreadState state, int device, long streamId) {
            super("the current CUDA stream");
            this.state = state;
            this.previous = state.stream();
            state.setStream(device, streamId);
        }

        @Override
        void restore() {
            state.setStream((int) previous[0], previous[1]);
        }
    }

    /** Blocks the calling thread until all work queued on this stream has finished. */
    public void synchronize() {
        Gpu.synchronizeStream(pointer());
    }

    /** Whether all work queued on this stream has finished. */
    public boolean isDone() {
        return Gpu.queryStream(pointer());
    }

    /** Makes this stream wait (on the GPU, without blocking the host) for {@code event}. */
    public void waitFor(CudaEvent event) {
        event.blockStream(this);
    }

    public int deviceIndex() {
        return (int) Gpu.streamInfo(pointer())[0];
    }

    public long id() {
        return Gpu.streamInfo(pointer())[1];
    }

    MemorySegment pointer() {
        if (closed.get()) {
            throw new IllegalStateException("stream handle was closed");
        }
        return pointer;
    }

    /** Frees this handle; the pooled stream itself lives on in libtorch. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.clean();
        }
    }

    @Override
    public String toString() {
        return closed.get() ? "CudaStream(closed)" : "CudaStream(cuda:" + deviceIndex() + ", id " + id() + ")";
    }
}
