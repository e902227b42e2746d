package org.tensorbridge.ndarray;

import static org.tensorbridge.ndarray.Elements.F32;
import static org.tensorbridge.ndarray.Elements.F64;
import static org.tensorbridge.ndarray.Elements.I16;
import static org.tensorbridge.ndarray.Elements.I32;
import static org.tensorbridge.ndarray.Elements.I64;
import static org.tensorbridge.ndarray.Elements.I8;

import java.lang.foreign.MemorySegment;
import org.tensorbridge.core.DType;

/**
 * Typed sums over one row, and the accumulate-a-row-into-many-sums loop, for {@link Reductions}. Float rows
 * are summed pairwise as NumPy does (blocks of 128 with 8 accumulators, halves added recursively); float32
 * blocks are combined in double, so float32 sums are at least as accurate as NumPy's. Integers sum in
 * int64 (uint64 wraps as NumPy's does).
 */
final class SumKernels {
    private SumKernels() {
    }

    private static final int BLOCK = 128;
    /** Elements per gather: a strided row is copied into a contiguous scratch this much at a time. */
    private static final int GATHER = 1024;
    private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(
            () -> java.lang.foreign.Arena.ofAuto().allocate(GATHER * 8L, 64));

    /**
     * Whether a row with byte stride {@code st} of {@code t} is summed by gathering it into contiguous chunks:
     * every second float32, int32 or uint8, which {@link VectorLoops} gathers with vectors; the vector sums
     * then run on the chunks, where the scalar strided loop keeps a bounds check and a dependent add per
     * element. Other strides and dtypes would gather element by element, which costs more than it saves
     * (every second float64, 1M mean: 0.50 ms strided, 1.08 ms gathered; NumPy 0.45-0.56 ms).
     */
    private static boolean gathers(long st, DType t, long n) {
        return LoopSelector.VECTOR && n >= 64 && st == 2L * t.byteSize()
                && (t == DType.FLOAT32 || t == DType.INT32 || t == DType.UINT8);
    }

    /** Copies {@code m} elements of the strided row into the calling thread's scratch, contiguous. */
    private static MemorySegment gather(MemorySegment s, long off, long st, long m, DType t) {
        MemorySegment b = SCRATCH.get();
        LoopSelector.cast(t, t).run(s, off, st, b, 0, t.byteSize(), m);
        return b;
    }

    /**
     * Pairwise sum of n float32 or float64 ({@code t}) at byte offset off with byte stride st (every second
     * element is summed in place with vectors, see {@link VectorLoops#blockSumEvenF32}).
     */
    static double sumFloat(MemorySegment s, long off, long st, long n, DType t) {
        return cascade(s, off, st, n, t);
    }

    /*
     * Pairwise summation without recursion: blocks of 128 in order, their sums merged like a binary counter's
     * carries (block 2k+1 with block 2k, then those pairs, ...): NumPy's error bound, O(log n) roundings per
     * element, at a constant call depth. The depth matters: C2 stops inlining at 15 levels, and a vector loop
     * whose intrinsics fall past that line runs its Java fallback, ten to thirty times slower — so the
     * vector block sums are called from here directly, not through a helper.
     */
    private static double cascade(MemorySegment s, long off, long st, long n, DType t) {
        boolean f32 = t == DType.FLOAT32;
        boolean vector = LoopSelector.VECTOR && st == t.byteSize();
        boolean evens = LoopSelector.VECTOR && st == 2 * t.byteSize();
        double[] partial = new double[levels(n)];
        long blocks = 0;
        for (long i = 0; i < n; i += BLOCK) {
            long o = off + i * st;
            long m = Math.min(BLOCK, n - i);
            double sum = vector ? (f32 ? VectorLoops.blockSumF32(s, o, m) : VectorLoops.blockSumF64(s, o, m))
                    : evens ? (f32 ? VectorLoops.blockSumEvenF32(s, o, m) : VectorLoops.blockSumEvenF64(s, o, m))
                    : f32 ? blockF32(s, o, st, m) : blockF64(s, o, st, m);
            blocks = carry(partial, blocks, sum);
        }
        return total(partial, blocks);
    }

    /** Levels of the binary counter for n elements: one per bit of the block count. */
    private static int levels(long n) {
        return Long.SIZE - Long.numberOfLeadingZeros(n / BLOCK + 1);
    }

    /** Adds block number {@code blocks + 1}'s sum to the binary counter of partial sums; returns the new count. */
    private static long carry(double[] partial, long blocks, double sum) {
        long k = blocks + 1;
        int level = 0;
        while ((k & 1) == 0) {
            sum += partial[level];
            level++;
            k >>>= 1;
        }
        partial[level] = sum;
        return blocks + 1;
    }

    /** The sum of the counter's live partials (one per set bit of {@code blocks}), smallest first. */
    private static double total(double[] partial, long blocks) {
        double sum = 0;
        for (int level = 0; blocks >>> level != 0; level++) {
            if ((blocks >>> level & 1) != 0) {
                sum += partial[level];
            }
        }
        return sum;
    }

    private static double blockF32(MemorySegment s, long off, long st, long n) {
        float r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
        long i = 0;
        if (st == 4) {
            for (; i + 8 <= n; i += 8) {
                long o = off + i * 4;
                r0 += s.get(F32, o);
                r1 += s.get(F32, o + 4);
                r2 += s.get(F32, o + 8);
                r3 += s.get(F32, o + 12);
                r4 += s.get(F32, o + 16);
                r5 += s.get(F32, o + 20);
                r6 += s.get(F32, o + 24);
                r7 += s.get(F32, o + 28);
            }
        } else {
            for (; i + 8 <= n; i += 8) {
                long o = off + i * st;
                r0 += s.get(F32, o);
                r1 += s.get(F32, o + st);
                r2 += s.get(F32, o + 2 * st);
                r3 += s.get(F32, o + 3 * st);
                r4 += s.get(F32, o + 4 * st);
                r5 += s.get(F32, o + 5 * st);
                r6 += s.get(F32, o + 6 * st);
                r7 += s.get(F32, o + 7 * st);
            }
        }
        double sum = (((double) r0 + r1) + ((double) r2 + r3)) + (((double) r4 + r5) + ((double) r6 + r7));
        for (; i < n; i++) {
            sum += s.get(F32, off + i * st);
        }
        return sum;
    }

    private static double blockF64(MemorySegment s, long off, long st, long n) {
        double r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0;
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            long o = off + i * st;
            r0 += s.get(F64, o);
            r1 += s.get(F64, o + st);
            r2 += s.get(F64, o + 2 * st);
            r3 += s.get(F64, o + 3 * st);
            r4 += s.get(F64, o + 4 * st);
            r5 += s.get(F64, o + 5 * st);
            r6 += s.get(F64, o + 6 * st);
            r7 += s.get(F64, o + 7 * st);
        }
        double sum = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
        for (; i < n; i++) {
            sum += s.get(F64, off + i * st);
        }
        return sum;
    }

    /** Sum of n integers (bool counts as 0/1) in int64. */
    static long sumInt(MemorySegment s, long off, long st, long n, DType t) {
        if (gathers(st, t, n)) {
            long sum = 0;
            for (long i = 0; i < n; i += GATHER) {
                long m = Math.min(GATHER, n - i);
                sum += sumInt(gather(s, off + i * st, st, m, t), 0, t.byteSize(), m, t);
            }
            return sum;
        }
        if (LoopSelector.VECTOR && t == DType.UINT8 && st == 1) {
            long total = 0;
            for (long i = 0; i < n; i += 1 << 22) {
                long part = VectorLoops.sumU8(s, off + i, Math.min(1 << 22, n - i));
                if (part < 0) {
                    total = Long.MIN_VALUE;
                    break;
                }
                total += part;
            }
            if (total != Long.MIN_VALUE) {
                return total;
            }
        } else if (LoopSelector.VECTOR && t == DType.INT32 && st == 4) {
            long v = VectorLoops.sumI32(s, off, n);
            if (v != Long.MIN_VALUE) {
                return v;
            }
        }
        long a0 = 0, a1 = 0;
        long i = 0;
        switch (t) {
            case INT32 -> {
                for (; i + 2 <= n; i += 2) {
                    a0 += s.get(I32, off + i * st);
                    a1 += s.get(I32, off + (i + 1) * st);
                }
                for (; i < n; i++) {
                    a0 += s.get(I32, off + i * st);
                }
            }
            case UINT8 -> {
                for (; i < n; i++) {
                    a0 += s.get(I8, off + i * st) & 0xFF;
                }
            }
            case INT8 -> {
                for (; i < n; i++) {
                    a0 += s.get(I8, off + i * st);
                }
            }
            case BOOL -> {
                for (; i < n; i++) {
                    a0 += s.get(I8, off + i * st) != 0 ? 1 : 0;
                }
            }
            case INT16 -> {
                for (; i < n; i++) {
                    a0 += s.get(I16, off + i * st);
                }
            }
            case UINT16 -> {
                for (; i < n; i++) {
                    a0 += s.get(I16, off + i * st) & 0xFFFF;
                }
            }
            case UINT32 -> {
                for (; i < n; i++) {
                    a0 += s.get(I32, off + i * st) & 0xFFFFFFFFL;
                }
            }
            case INT64, UINT64 -> {
                for (; i < n; i++) {
                    a0 += s.get(I64, off + i * st);
                }
            }
            default -> throw new IllegalStateException("not an integer dtype: " + t);
        }
        return a0 + a1;
    }

    /** {@code acc[j] += x[j]} for n elements (acc byte stride {@code as}): acc float64 (stride 8) for float inputs. */
    static void accumulateDouble(MemorySegment s, long off, long st, DType t, MemorySegment acc, long ao, long as,
            long n) {
        if (as != 8) {
            for (long i = 0; i < n; i++) {
                acc.set(F64, ao + i * as, acc.get(F64, ao + i * as) + Elements.getDouble(s, off + i * st, t));
            }
            return;
        }
        if (gathers(st, t, n)) {
            for (long i = 0; i < n; i += GATHER) {
                long m = Math.min(GATHER, n - i);
                accumulateDouble(gather(s, off + i * st, st, m, t), 0, t.byteSize(), t, acc, ao + i * 8, 8, m);
            }
            return;
        }
        if (LoopSelector.VECTOR && t == DType.FLOAT64 && st == 16) {
            long done = VectorLoops.accumulateEvensF64(s, off, acc, ao, n);
            off += done * st;
            ao += done * 8;
            n -= done;
        } else if (LoopSelector.VECTOR && st == t.byteSize() && (t == DType.FLOAT32 || t == DType.FLOAT64)) {
            long done = VectorLoops.accumulate(s, off, t, acc, ao, n);
            off += done * st;
            ao += done * 8;
            n -= done;
        }
        if (t == DType.FLOAT32) {
            if (st == 4) {
                for (long i = 0; i < n; i++) {
                    acc.set(F64, ao + i * 8, acc.get(F64, ao + i * 8) + s.get(F32, off + i * 4));
                }
            } else {
                for (long i = 0; i < n; i++) {
                    acc.set(F64, ao + i * 8, acc.get(F64, ao + i * 8) + s.get(F32, off + i * st));
                }
            }
        } else if (st == 8) {
            for (long i = 0; i < n; i++) {
                acc.set(F64, ao + i * 8, acc.get(F64, ao + i * 8) + s.get(F64, off + i * 8));
            }
        } else {
            for (long i = 0; i < n; i++) {
                acc.set(F64, ao + i * 8, acc.get(F64, ao + i * 8) + s.get(F64, off + i * st));
            }
        }
    }

    /** {@code acc[j] += x[j]} for n integers into int64 sums. */
    static void accumulateLong(MemorySegment s, long off, long st, DType t, MemorySegment acc, long ao, long as,
            long n) {
        if (as != 8) {
            for (long i = 0; i < n; i++) {
                acc.set(I64, ao + i * as, acc.get(I64, ao + i * as) + Elements.getLong(s, off + i * st, t));
            }
            return;
        }
        if (gathers(st, t, n)) {
            for (long i = 0; i < n; i += GATHER) {
                long m = Math.min(GATHER, n - i);
                accumulateLong(gather(s, off + i * st, st, m, t), 0, t.byteSize(), t, acc, ao + i * 8, 8, m);
            }
            return;
        }
        if (LoopSelector.VECTOR && (t == DType.INT32 && st == 4 || t == DType.UINT8 && st == 1)) {
            long done = t == DType.INT32 ? VectorLoops.accumulateI32(s, off, acc, ao, n)
                    : VectorLoops.accumulateU8(s, off, acc, ao, n);
            off += done * st;
            ao += done * 8;
            n -= done;
        }
        switch (t) {
            case INT32 -> {
                for (long i = 0; i < n; i++) {
                    acc.set(I64, ao + i * 8, acc.get(I64, ao + i * 8) + s.get(I32, off + i * st));
                }
            }
            case UINT8 -> {
                for (long i = 0; i < n; i++) {
                    acc.set(I64, ao + i * 8, acc.get(I64, ao + i * 8) + (s.get(I8, off + i * st) & 0xFF));
                }
            }
            default -> {
                for (long i = 0; i < n; i++) {
                    acc.set(I64, ao + i * 8, acc.get(I64, ao + i * 8) + Elements.getLong(s, off + i * st, t));
                }
            }
        }
    }

    /** Sum of squared deviations from {@code mean} over a row (any real dtype). */
    static double sumSquares(MemorySegment s, long off, long st, long n, DType t, double mean) {
        double a0 = 0, a1 = 0;
        long i = 0;
        if (t == DType.FLOAT32) {
            for (; i + 2 <= n; i += 2) {
                double d0 = s.get(F32, off + i * st) - mean;
                double d1 = s.get(F32, off + (i + 1) * st) - mean;
                a0 += d0 * d0;
                a1 += d1 * d1;
            }
        } else if (t == DType.FLOAT64) {
            for (; i + 2 <= n; i += 2) {
                double d0 = s.get(F64, off + i * st) - mean;
                double d1 = s.get(F64, off + (i + 1) * st) - mean;
                a0 += d0 * d0;
                a1 += d1 * d1;
            }
        }
        for (; i < n; i++) {
            double d = Elements.getDouble(s, off + i * st, t) - mean;
            a0 += d * d;
        }
        return a0 + a1;
    }
}
