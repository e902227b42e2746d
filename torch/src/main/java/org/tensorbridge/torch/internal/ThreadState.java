package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What libtorch keeps per OS thread — grad mode, autocast, the current CUDA stream — kept per Java thread
 * instead (the shim's {@code tb_thread_state}), and applied by the shim to whichever OS thread runs each call
 * that depends on it. A virtual thread that parks and resumes on another carrier keeps its state; changing
 * it is a plain memory write, with no native call.
 */
public final class ThreadState {
    private static final long GRAD = 0, AUTOCAST_CPU = 4, AUTOCAST_CPU_DTYPE = 8, AUTOCAST_CUDA = 12,
            AUTOCAST_CUDA_DTYPE = 16, STREAM_DEVICE = 20, STREAM_ID = 24, AUTOCAST_EPOCH = 32, SIZE = 40;
    private static final ThreadLocal<ThreadState> CURRENT = ThreadLocal.withInitial(ThreadState::new);

    private final MemorySegment segment = Arena.ofAuto().allocate(SIZE, 8);
    private int autocastDepth;

    private ThreadState() {
        segment.set(JAVA_INT, GRAD, 1);
        segment.set(JAVA_INT, AUTOCAST_CPU_DTYPE, -1);
        segment.set(JAVA_INT, AUTOCAST_CUDA_DTYPE, -1);
        segment.set(JAVA_INT, STREAM_DEVICE, -1);
    }

    /** The calling Java thread's state. */
    public static ThreadState current() {
        return CURRENT.get();
    }

    MemorySegment segment() {
        return segment;
    }

    /** Applies this state to the OS thread now running the caller, before a call that reads it natively. */
    void apply() {
        try {
            Status.check((int) Native.APPLY_THREAD_STATE.invokeExact(segment));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public boolean gradEnabled() {
        return segment.get(JAVA_INT, GRAD) != 0;
    }

    /** Returns the previous mode. */
    public boolean setGradEnabled(boolean enabled) {
        boolean previous = gradEnabled();
        segment.set(JAVA_INT, GRAD, enabled ? 1 : 0);
        return previous;
    }

    /** Autocast for CPU ({@code cuda} false) or CUDA: {@code [enabled 0/1, dtype code]}. */
    public int[] autocast(boolean cuda) {
        return new int[] {segment.get(JAVA_INT, cuda ? AUTOCAST_CUDA : AUTOCAST_CPU),
                segment.get(JAVA_INT, cuda ? AUTOCAST_CUDA_DTYPE : AUTOCAST_CPU_DTYPE)};
    }

    public void setAutocast(boolean cuda, boolean enabled, int dtypeCode) {
        segment.set(JAVA_INT, cuda ? AUTOCAST_CUDA : AUTOCAST_CPU, enabled ? 1 : 0);
        segment.set(JAVA_INT, cuda ? AUTOCAST_CUDA_DTYPE : AUTOCAST_CPU_DTYPE, dtypeCode);
    }

    /** Counts nested autocast scopes; leaving the outermost drops autocast's cache of cast weights. */
    public void enterAutocast() {
        autocastDepth++;
    }

    public void leaveAutocast() {
        if (--autocastDepth == 0) {
            segment.set(JAVA_LONG, AUTOCAST_EPOCH, segment.get(JAVA_LONG, AUTOCAST_EPOCH) + 1);
        }
    }

    /** The current stream: {@code [device, stream id]}, device -1 for the default streams. */
    public long[] stream() {
        return new long[] {segment.get(JAVA_INT, STREAM_DEVICE), segment.get(JAVA_LONG, STREAM_ID)};
    }

    public void setStream(int device, long streamId) {
        segment.set(JAVA_INT, STREAM_DEVICE, device);
        segment.set(JAVA_LONG, STREAM_ID, streamId);
    }
}
