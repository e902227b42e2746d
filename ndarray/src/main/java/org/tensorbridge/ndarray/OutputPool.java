package org.tensorbridge.ndarray;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.tensorbridge.core.DType;

/**
 * Recycles the memory of operation results, as NumPy's allocator does: a fresh large block costs an mmap,
 * page faults on first touch and a munmap (more than the operation itself for a 1M-element add), a small
 * one a malloc, a zero fill and a free; a recycled one costs nothing of that. A block goes back the moment its array's count reaches 0, while it is
 * still warm in cache, unless its checked segment was handed out ({@link NDBuffer#segment()}): then only
 * after that segment's shared arena is closed (on {@link ArenaCloser}'s thread, after the JVM-wide
 * handshake), so a stale segment of a closed array throws instead of reaching the memory of the array that
 * reuses the block ({@link NDBuffer#pooled}). Results are not zero-filled (kernels write every element).
 * Idle blocks are capped ({@link #MAX_IDLE_BYTES}); beyond that they are freed.
 */
final class OutputPool {
    private OutputPool() {
    }

    static final long MAX_IDLE_BYTES = 256L << 20;
    private static final long ALIGN = NDBuffer.ALIGNMENT;
    // below NDBuffer.SMALL blocks come in power-of-two classes (a few sizes serve every small shape, as malloc's
    // bins do); from it on in exact sizes (a 1M-element result reuses its own size)
    private static final int SMALL_CLASSES = Long.numberOfTrailingZeros(NDBuffer.SMALL);

    private static final MethodHandle ALIGNED_ALLOC = LibC.FREE == null ? null : LibC.downcall("aligned_alloc",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    private static final BlockStack[] SMALL_IDLE = new BlockStack[SMALL_CLASSES];
    private static final ConcurrentHashMap<Long, BlockStack> LARGE_IDLE = new ConcurrentHashMap<>();
    private static final AtomicLong IDLE_BYTES = new AtomicLong();

    static {
        for (int i = 0; i < SMALL_CLASSES; i++) {
            SMALL_IDLE[i] = new BlockStack(1L << i);
        }
    }

    /** Idle blocks of one size, last in first out (the warmest first). */
    private static final class BlockStack {
        final long size;
        private long[] blocks = new long[8];
        private int count;

        BlockStack(long size) {
            this.size = size;
        }

        synchronized int count() {
            return count;
        }

        /** The coldest block, or 0. */
        synchronized long removeOldest() {
            if (count == 0) {
                return 0;
            }
            long b = blocks[0];
            System.arraycopy(blocks, 1, blocks, 0, --count);
            return b;
        }

        synchronized long pop() {
            return count == 0 ? 0 : blocks[--count];
        }

        synchronized void push(long block) {
            if (count == blocks.length) {
                blocks = java.util.Arrays.copyOf(blocks, count * 2);
            }
            blocks[count++] = block;
        }
    }

    private static long blockSize(long bytes) {
        if (bytes < NDBuffer.SMALL) {
            return Math.max(ALIGN, Long.highestOneBit(Math.max(bytes, 1) - 1) << 1);
        }
        return (bytes + ALIGN - 1) & -ALIGN;
    }

    private static BlockStack idle(long size, boolean create) {
        if (size < NDBuffer.SMALL) {
            return SMALL_IDLE[Long.numberOfTrailingZeros(size)];
        }
        return create ? LARGE_IDLE.computeIfAbsent(size, BlockStack::new) : LARGE_IDLE.get(size);
    }

    /** A new owned, C-ordered or {@code strides}-ordered array for an operation's result (contents unspecified). */
    static NDArray newArray(DType dtype, long[] shape, long[] strides) {
        long bytes = Math.multiplyExact(Shapes.size(shape), (long) dtype.byteSize());
        return NDArray.wrap(buffer(bytes), dtype, shape, strides, 0, true);
    }

    /** Whether blocks come from the pool (native access is on); else from {@link NDBuffer#allocate}. */
    static boolean available() {
        return ALIGNED_ALLOC != null;
    }

    /** A buffer of {@code bytes} (one count, contents unspecified), from the pool where native access is on. */
    static NDBuffer buffer(long bytes) {
        if (ALIGNED_ALLOC == null) {
            return NDBuffer.allocate(bytes);
        }
        long size = blockSize(bytes);
        BlockStack q = idle(size, false);
        long raw = q == null ? 0 : q.pop();
        if (raw != 0) {
            IDLE_BYTES.addAndGet(-size);
        } else {
            raw = allocate(size);
        }
        long block = raw;
        MemorySegment unchecked = MemorySegment.ofAddress(block).reinterpret(bytes);
        return NDBuffer.pooled(unchecked, () -> recycle(block, size));
    }

    private static long allocate(long size) {
        MemorySegment p;
        try {
            // glibc's aligned_alloc takes any size for a power-of-two alignment
            p = (MemorySegment) ALIGNED_ALLOC.invokeExact(HugePages.alignmentFor(size, ALIGN), size);
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
        idle(size, true).push(raw);
        if (IDLE_BYTES.addAndGet(size) > MAX_IDLE_BYTES) {
            trim(size);
        }
    }

    /**
     * Frees idle blocks until the cap holds again, coldest first from the size that holds the most idle bytes
     * other than {@code recent}'s, so that a program whose sizes change keeps pooling its new sizes.
     */
    private static synchronized void trim(long recent) {
        while (IDLE_BYTES.get() > MAX_IDLE_BYTES) {
            BlockStack victim = null;
            long most = -1;
            for (BlockStack q : allStacks()) {
                long bytes = q.count() * q.size;
                if (q.size != recent && bytes > most && bytes > 0) {
                    victim = q;
                    most = bytes;
                }
            }
            if (victim == null) {
                victim = idle(recent, true);
            }
            long block = victim.removeOldest();
            if (block == 0) {
                return;
            }
            IDLE_BYTES.addAndGet(-victim.size);
            free(block);
        }
    }

    private static Iterable<BlockStack> allStacks() {
        java.util.List<BlockStack> all = new java.util.ArrayList<>(LARGE_IDLE.values());
        all.addAll(java.util.Arrays.asList(SMALL_IDLE));
        return all;
    }

    private static void free(long block) {
        try {
            LibC.FREE.invokeExact(MemorySegment.ofAddress(block));
        } catch (Throwable t) {
            // free does not fail; nothing to do
        }
    }

    /** Idle pooled bytes (for tests and diagnostics). */
    static long idleBytes() {
        return IDLE_BYTES.get();
    }
}
