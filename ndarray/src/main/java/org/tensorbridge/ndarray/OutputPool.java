package org.tensorbridge.ndarray;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorbridge.core.DType;

/**
 * Recycles the memory of large operation results, as NumPy's allocator does: a fresh block costs an mmap,
 * page faults on first touch and a munmap (more than the operation itself for a 1M-element add), a
 * recycled one costs nothing of that. A block goes back the moment its array's count reaches 0, while it is
 * still warm in cache, unless its checked segment was handed out ({@link NDBuffer#segment()}): then only
 * after that segment's shared arena is closed (on {@link ArenaCloser}'s thread, after the JVM-wide
 * handshake), so a stale segment of a closed array throws instead of reaching the memory of the array that
 * reuses the block ({@link NDBuffer#pooled}). Results are not zero-filled (kernels write every element).
 * Idle blocks are capped ({@link #MAX_IDLE_BYTES}); beyond that they are freed.
 */
final class OutputPool {
    private OutputPool() {
    }

    /** Results smaller than this come from {@link NDArray#empty} (automatic arenas, cheap already). */
    static final long MIN_BYTES = NDBuffer.SMALL;
    static final long MAX_IDLE_BYTES = 256L << 20;
    private static final long ALIGN = NDBuffer.ALIGNMENT;

    private static final MethodHandle ALIGNED_ALLOC;
    private static final MethodHandle FREE;
    private static final ConcurrentHashMap<Long, ConcurrentLinkedDeque<Long>> IDLE = new ConcurrentHashMap<>();
    private static final AtomicLong IDLE_BYTES = new AtomicLong();

    static {
        MethodHandle a = null;
        MethodHandle f = null;
        try {
            if (OutputPool.class.getModule().isNativeAccessEnabled()) {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                a = linker.downcallHandle(lookup.find("aligned_alloc").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                f = linker.downcallHandle(lookup.find("free").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            }
        } catch (Throwable t) {
            a = null;
            f = null;
        }
        ALIGNED_ALLOC = a;
        FREE = f;
    }

    /** A new owned, C-ordered or {@code strides}-ordered array for an operation's result (contents unspecified). */
    static NDArray newArray(DType dtype, long[] shape, long[] strides) {
        long bytes = Math.multiplyExact(Shapes.size(shape), (long) dtype.byteSize());
        return NDArray.wrap(buffer(bytes), dtype, shape, strides, 0, true);
    }

    /** A buffer of {@code bytes} (one count, contents unspecified): pooled from {@link #MIN_BYTES} on. */
    static NDBuffer buffer(long bytes) {
        if (bytes < MIN_BYTES || ALIGNED_ALLOC == null) {
            return NDBuffer.allocate(bytes);
        }
        long size = (bytes + ALIGN - 1) & -ALIGN;
        Long raw = null;
        ConcurrentLinkedDeque<Long> q = IDLE.get(size);
        if (q != null) {
            raw = q.pollFirst();
            if (raw != null) {
                IDLE_BYTES.addAndGet(-size);
            }
        }
        if (raw == null) {
            raw = allocate(size);
        }
        long block = raw;
        MemorySegment unchecked = MemorySegment.ofAddress(block).reinterpret(bytes);
        return NDBuffer.pooled(unchecked, () -> recycle(block, size));
    }

    private static long allocate(long size) {
        MemorySegment p;
        try {
            p = (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGN, size);
        } catch (Throwable t) {
            throw new IllegalStateException("aligned_alloc failed", t);
        }
        if (p.address() == 0) {
            throw new OutOfMemoryError("cannot allocate " + size + " bytes for an array");
        }
        HugePages.advise(p.address(), size);
        return p.address();
    }

    private static void recycle(long raw, long size) {
        if (IDLE_BYTES.addAndGet(size) <= MAX_IDLE_BYTES) {
            IDLE.computeIfAbsent(size, k -> new ConcurrentLinkedDeque<>()).addFirst(raw);
            return;
        }
        IDLE_BYTES.addAndGet(-size);
        try {
            FREE.invokeExact(MemorySegment.ofAddress(raw));
        } catch (Throwable t) {
            // free does not fail; nothing to do
        }
    }

    /** Idle pooled bytes (for tests and diagnostics). */
    static long idleBytes() {
        return IDLE_BYTES.get();
    }
}
