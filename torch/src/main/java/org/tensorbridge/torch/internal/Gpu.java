package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * The GPU data path's native calls: pinned host memory, CUDA streams and events, and the caching
 * allocator's statistics. Streams and events are opaque pointers, freed with {@link #freeStream} /
 * {@link #freeEvent}. Without CUDA every call throws {@code CudaUnavailableException}.
 */
public final class Gpu {
    private Gpu() {
    }

    /** A uint8 tensor of {@code bytes} in page-locked host memory (libtorch's pinned host allocator). */
    public static TensorHandle pinnedEmpty(long bytes) {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.PINNED_EMPTY.invokeExact(bytes, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return new TensorHandle(out.get(ADDRESS, 0));
    }

    public static MemorySegment newStream(int deviceIndex, boolean highPriority) {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.STREAM_NEW.invokeExact(deviceIndex, highPriority ? 1 : 0, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(ADDRESS, 0);
    }

    public static MemorySegment currentStream(int deviceIndex) {
        MemorySegment out = Scratch.get(8);
        try {
            ThreadState.current().apply();
            Status.check((int) Native.STREAM_CURRENT.invokeExact(deviceIndex, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(ADDRESS, 0);
    }

    /** Makes {@code stream} current on its device; returns the previous current stream (a new handle). */
    public static void synchronizeStream(MemorySegment stream) {
        try {
            Status.check((int) Native.STREAM_SYNCHRONIZE.invokeExact(stream));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static boolean queryStream(MemorySegment stream) {
        MemorySegment out = Scratch.get(4);
        try {
            Status.check((int) Native.STREAM_QUERY.invokeExact(stream, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_INT, 0) != 0;
    }

    /** {@code [device index, stream id]}. */
    public static long[] streamInfo(MemorySegment stream) {
        MemorySegment out = Scratch.get(16);
        try {
            Status.check((int) Native.STREAM_INFO.invokeExact(stream, out, out.asSlice(8)));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return new long[] {out.get(JAVA_INT, 0), out.get(JAVA_LONG, 8)};
    }

    public static void freeStream(MemorySegment stream) {
        try {
            Status.check((int) Native.STREAM_FREE.invokeExact(stream));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static MemorySegment newEvent(boolean timing) {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.EVENT_NEW.invokeExact(timing ? 1 : 0, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(ADDRESS, 0);
    }

    /** Records the event on {@code stream} ({@link MemorySegment#NULL}: the current stream). */
    public static void recordEvent(MemorySegment event, MemorySegment stream) {
        try {
            ThreadState.current().apply();  // a null stream means the caller's current one
            Status.check((int) Native.EVENT_RECORD.invokeExact(event, stream));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** Makes {@code stream} wait (on the GPU) until the event has happened. */
    public static void blockOnEvent(MemorySegment event, MemorySegment stream) {
        try {
            Status.check((int) Native.EVENT_BLOCK.invokeExact(event, stream));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static void synchronizeEvent(MemorySegment event) {
        try {
            Status.check((int) Native.EVENT_SYNCHRONIZE.invokeExact(event));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static boolean queryEvent(MemorySegment event) {
        MemorySegment out = Scratch.get(4);
        try {
            Status.check((int) Native.EVENT_QUERY.invokeExact(event, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_INT, 0) != 0;
    }

    public static double elapsedMillis(MemorySegment start, MemorySegment end) {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.EVENT_ELAPSED.invokeExact(start, end, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_DOUBLE, 0);
    }

    public static void freeEvent(MemorySegment event) {
        try {
            Status.check((int) Native.EVENT_FREE.invokeExact(event));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** {@code [allocated, peak allocated, reserved, peak reserved]} in bytes for one device. */
    public static long[] memoryStats(int deviceIndex) {
        MemorySegment out = Scratch.get(32);
        try {
            Status.check((int) Native.MEMORY_STATS.invokeExact(deviceIndex, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.asSlice(0, 32).toArray(JAVA_LONG);
    }

    public static void emptyCache() {
        try {
            Status.check((int) Native.EMPTY_CACHE.invokeExact());
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static void resetPeakStats(int deviceIndex) {
        try {
            Status.check((int) Native.RESET_PEAK.invokeExact(deviceIndex));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }
}
