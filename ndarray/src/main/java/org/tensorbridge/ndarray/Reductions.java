package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.tensorbridge.ndarray.Elements.F32;
import static org.tensorbridge.ndarray.Elements.F64;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Reductions over axes with NumPy's result dtypes: sum of bool/signed ints gives int64, of unsigned ints
 * uint64, of floats the same float type (accumulated in double, so float32 sums are at least as
 * accurate as NumPy's pairwise float32 sums); mean/var/std of bool/ints give float64, of floats the same
 * float type; min/max keep the dtype and propagate NaN; argmax/argmin give int64 (first occurrence; a NaN
 * counts as the extreme, as in NumPy).
 */
final class Reductions {
    private Reductions() {
    }

    enum Kind { SUM, MEAN, VAR, STD, MIN, MAX, ARGMAX, ARGMIN }

    static int[] normalizeAxes(int[] axes, int ndim) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[ndim];
            for (int i = 0; i < ndim; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[ndim];
        for (int a : axes) {
            int n = Shapes.axis(a, ndim);
            if (seen[n]) {
                throw new IllegalArgumentException("duplicate value in 'axis': " + Arrays.toString(axes));
            }
            seen[n] = true;
        }
        int[] out = new int[axes.length];
        int j = 0;
        for (int i = 0; i < ndim; i++) {
            if (seen[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    static DType resultType(DType t, Kind k) {
        if (t.isComplex()) {
            throw new IllegalArgumentException(k.name().toLowerCase() + " is not supported for complex arrays");
        }
        return switch (k) {
            case SUM -> t == DType.BOOL || (t.isInteger() && !t.isUnsigned()) ? DType.INT64
                    : t.isUnsigned() ? DType.UINT64 : t;
            case MEAN, VAR, STD -> t.isFloatingPoint() ? t : DType.FLOAT64;
            case MIN, MAX -> t;
            case ARGMAX, ARGMIN -> DType.INT64;
        };
    }

    /** Reduces {@code axes} (empty = all) of {@code a}. */
    static NDArray reduce(NDArray a, int[] axesIn, boolean keepdims, Kind kind, int ddof) {
        return NDArray.pinned(new NDArray[] {a}, () -> reducePinned(a, axesIn, keepdims, kind, ddof));
    }

    // reduce with its inputs held (a close on another thread waits for it)
    private static NDArray reducePinned(NDArray a, int[] axesIn, boolean keepdims, Kind kind, int ddof) {
        int nd = a.ndim();
        int[] axes = normalizeAxes(axesIn, nd);
        if ((kind == Kind.SUM || kind == Kind.MEAN) && (a.dtype() == DType.COMPLEX64 || a.dtype() == DType.COMPLEX128)) {
            return complexSums(a, axes, keepdims, kind);
        }
        long[] shape = a.shapeRef();
        long[] strides = a.stridesRef();
        boolean[] reduced = new boolean[nd];
        for (int ax : axes) {
            reduced[ax] = true;
        }
        int nk = nd - axes.length;
        long[] keptShape = new long[nk];
        long[] keptStrides = new long[nk];
        long[] redShape = new long[axes.length];
        long[] redStrides = new long[axes.length];
        long[] outShape = new long[keepdims ? nd : nk];
        int ki = 0, ri = 0, oi = 0;
        for (int i = 0; i < nd; i++) {
            if (reduced[i]) {
                redShape[ri] = shape[i];
                redStrides[ri++] = strides[i];
                if (keepdims) {
                    outShape[oi++] = 1;
                }
            } else {
                keptShape[ki] = shape[i];
                keptStrides[ki++] = strides[i];
                outShape[oi++] = shape[i];
            }
        }
        long count = Shapes.size(redShape);
        DType rt = resultType(a.dtype(), kind);
        if (count == 0 && (kind == Kind.MIN || kind == Kind.MAX || kind == Kind.ARGMAX || kind == Kind.ARGMIN)
                && Shapes.size(keptShape) > 0) {
            throw new IllegalArgumentException("zero-size array to reduction operation " + kind.name().toLowerCase()
                    + " which has no identity (axes " + Arrays.toString(axes) + " of shape " + Shapes.str(shape) + ")");
        }
        boolean fast = (kind == Kind.SUM || kind == Kind.MEAN || kind == Kind.VAR || kind == Kind.STD)
                && fastSums(a.dtype());
        Loops.Binary extreme = (kind == Kind.MIN || kind == Kind.MAX) && !a.dtype().isComplex() && count > 0
                ? LoopSelector.binary(kind == Kind.MIN ? "min" : "max", a.dtype()) : null;
        NDArray out = fast || extreme != null ? Kernels.newOutput(rt, outShape) : NDArray.empty(rt, outShape);
        if (out.size() == 0) {
            return out;
        }
        if (fast || extreme != null) {
            try (Scratch scratch = new Scratch()) {
                if (fast) {
                    sums(a, reduced, keptShape, out, kind, count, ddof, scratch);
                } else {
                    extremes(a, reduced, out, extreme, kind == Kind.MAX, scratch);
                }
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        }
        MemorySegment s = a.buffer().memory();
        MemorySegment so = out.buffer().memory();
        DType t = a.dtype();
        long item = rt.byteSize();
        long outN = Shapes.size(keptShape);
        // one output after another (kept axes in C order, as the result), the outputs split across the loop threads
        Copier.split(outN, ParallelLoops.partsFor(a.size(), a.size() * t.byteSize()) > 1, (from, to) -> {
            Acc acc = new Acc(t);
            long[] index = Shapes.unravel(from, keptShape);
            for (long q = from; q < to; q++) {
                long base = a.byteOffset();
                for (int d = 0; d < nk; d++) {
                    base += index[d] * keptStrides[d];
                }
                acc.reset();
                reduceInto(s, base, redShape, redStrides, acc, kind);
                write(so, q * item, rt, acc, kind, count, ddof, s, base, redShape, redStrides);
                Shapes.increment(index, keptShape);
            }
        });
        return out;
    }

    /**
     * Sum or mean of a complex array: the same reduction of its real view (a last axis of two: real, imaginary),
     * whose C-ordered result holds the complex results' bytes — float sums, pairwise as for real arrays.
     */
    private static NDArray complexSums(NDArray a, int[] axes, boolean keepdims, Kind kind) {
        DType t = a.dtype();
        DType part = t == DType.COMPLEX64 ? DType.FLOAT32 : DType.FLOAT64;
        int nd = a.ndim();
        if (nd == 0) {
            return a.copy();  // the sum and the mean of one number (an empty axis list would mean both parts)
        }
        long[] shape = Arrays.copyOf(a.shapeRef(), nd + 1);
        long[] strides = Arrays.copyOf(a.stridesRef(), nd + 1);
        shape[nd] = 2;
        strides[nd] = part.byteSize();
        try (NDArray parts = NDArray.wrap(a.buffer(), part, shape, strides, a.byteOffset(), false);
             NDArray sums = reducePinned(parts, axes, keepdims, kind, 0)) {
            long[] outShape = Arrays.copyOf(sums.shapeRef(), sums.ndim() - 1);
            return NDArray.wrap(sums.buffer(), t, outShape, Strides.cOrder(outShape, t.byteSize()), sums.byteOffset(),
                    false);
        }
    }

    /** Elements per chunk of a row reduced into one minimum/maximum: folded element-wise first. */
    private static final int FOLD = 256;
    private static final ThreadLocal<MemorySegment> FOLDS = ThreadLocal.withInitial(
            () -> java.lang.foreign.Arena.ofAuto().allocate(FOLD * 16L, 64));

    /**
     * Minimum or maximum through the element-wise {@code minimum}/{@code maximum} loops, as NumPy's ufunc
     * reduce does: the result starts as the first slice along the reduced axes, then every row of the input
     * (in its memory order) is folded in — a row along a kept axis element-wise into a row of results (the
     * vector loops), a row along a reduced axis chunk by chunk into a scratch row first, then into its one
     * result. min(x, x) = x, so the first slice's second visit changes nothing. Each task (one unless the input
     * is large) folds into a copy of its own; the copies are folded into the result at the end. NaN
     * propagates, as the loops do.
     */
    private static void extremes(NDArray a, boolean[] reduced, NDArray out, Loops.Binary loop, boolean max,
            Scratch scratch) {
        DType t = a.dtype();
        long item = t.byteSize();
        int nd = a.ndim();
        long[] shape = a.shapeRef();
        long[] firstShape = new long[nd];
        long[] outStrides = new long[nd];
        long st = item;
        for (int i = nd - 1; i >= 0; i--) {
            firstShape[i] = reduced[i] ? 1 : shape[i];
            if (!reduced[i]) {
                outStrides[i] = shape[i] == 1 ? 0 : st;
                st *= shape[i];
            }
        }
        MemorySegment s = a.buffer().memory();
        MemorySegment so = out.buffer().memory();
        long outBytes = out.size() * item;
        Loops.Unary copy = LoopSelector.cast(t, t);
        long[][] strides = {a.stridesRef(), outStrides};
        long[] base = {a.byteOffset(), 0};
        Kernels.forEachRow(firstShape, strides, base, false, (o, str, n) -> copy.run(s, o[0], str[0], so, o[1], str[1], n));
        java.util.List<MemorySegment> parts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Kernels.forEachRow(shape, strides, base, true, 0, task -> {
            // every task folds into a copy of its own (nobody writes the result while tasks copy it)
            MemorySegment into = scratch.zeroed(outBytes);
            MemorySegment.copy(so, 0, into, 0, outBytes);
            parts.add(into);
            return (o, str, n) -> {
                if (str[1] != 0) {
                    loop.run(into, o[1], str[1], s, o[0], str[0], into, o[1], str[1], n);
                } else {
                    foldRow(loop, copy, s, o[0], str[0], n, t, into, o[1], max);
                }
            };
        });
        for (MemorySegment part : parts) {
            loop.run(so, 0, item, part, 0, item, so, 0, item, out.size());
        }
    }

    /** Folds a row of n elements (byte stride xs) into the one result at {@code ao} of {@code acc}. */
    private static void foldRow(Loops.Binary loop, Loops.Unary copy, MemorySegment s, long xo, long xs, long n,
            DType t, MemorySegment acc, long ao, boolean max) {
        long item = t.byteSize();
        if (LoopSelector.VECTOR && xs == item && t == DType.FLOAT32 && n >= VectorLoops.F.length()) {
            float v = max ? VectorLoops.maxF32(s, xo, n) : VectorLoops.minF32(s, xo, n);
            float r = acc.get(F32, ao);
            acc.set(F32, ao, max ? Math.max(r, v) : Math.min(r, v));
            return;
        }
        if (LoopSelector.VECTOR && xs == item && t == DType.FLOAT64 && n >= VectorLoops.D.length()) {
            double v = max ? VectorLoops.maxF64(s, xo, n) : VectorLoops.minF64(s, xo, n);
            double r = acc.get(F64, ao);
            acc.set(F64, ao, max ? Math.max(r, v) : Math.min(r, v));
            return;
        }
        MemorySegment w = FOLDS.get();
        long m = Math.min(FOLD, n);
        copy.run(s, xo, xs, w, 0, item, m);
        for (long k = m; k < n; k += FOLD) {
            loop.run(w, 0, item, s, xo + k * xs, xs, w, 0, item, Math.min(FOLD, n - k));
        }
        // the loops' general branch reads x = acc (stride 0) anew for every element, after the previous write
        loop.run(acc, ao, 0, w, 0, item, acc, ao, 0, m);
    }

    private static boolean fastSums(DType t) {
        return t == DType.FLOAT32 || t == DType.FLOAT64 || t == DType.BOOL || t.isInteger();
    }

    /**
     * Sums (and mean/var/std) through the loop machinery: the input is walked in its memory order; a row
     * along a reduced axis is summed pairwise into one accumulator, a row along a kept axis is added
     * element-wise into a row of accumulators (NumPy's two inner-loop shapes). Accumulators are float64
     * for floats (float32 inputs are summed at least as accurately as NumPy does) and int64 for integers.
     */
    private static void sums(NDArray a, boolean[] reduced, long[] keptShape, NDArray out, Kind kind, long count,
            int ddof, Scratch scratch) {
        DType t = a.dtype();
        boolean ints = t == DType.BOOL || t.isInteger();
        long outN = Shapes.size(keptShape);
        int nd = a.ndim();
        long[] shape = a.shapeRef();
        long[] accStrides = new long[nd];
        long st = 8;
        for (int i = nd - 1; i >= 0; i--) {
            if (!reduced[i]) {
                accStrides[i] = shape[i] == 1 ? 0 : st;
                st *= shape[i];
            }
        }
        MemorySegment s = a.buffer().memory();
        long[][] strides = {a.stridesRef(), accStrides};
        long[] base = {a.byteOffset(), 0};
        long accBytes = Math.max(outN, 1) * 8;
        MemorySegment columns = columnSums(a, reduced, accBytes, scratch);
        MemorySegment acc = columns != null ? columns : rowSums(a, strides, base, accBytes, outN, ints, scratch);
        DType rt = out.dtype();
        MemorySegment so = out.buffer().memory();
        long item = rt.byteSize();
        if (kind == Kind.SUM) {
            for (long i = 0; i < outN; i++) {
                if (ints) {
                    Elements.setLong(so, i * item, rt, acc.get(Elements.I64, i * 8));
                } else {
                    Elements.setDouble(so, i * item, rt, acc.get(F64, i * 8));
                }
            }
            return;
        }
        // mean per output, in place
        for (long i = 0; i < outN; i++) {
            double sum = ints ? (double) acc.get(Elements.I64, i * 8) : acc.get(F64, i * 8);
            acc.set(F64, i * 8, sum / count);
        }
        if (kind == Kind.MEAN) {
            for (long i = 0; i < outN; i++) {
                Elements.setDouble(so, i * item, rt, acc.get(F64, i * 8));
            }
            return;
        }
        java.util.List<MemorySegment> ssParts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Kernels.forEachRow(shape, strides, base, true, 0, task -> {
            MemorySegment ssp = scratch.zeroed(accBytes);
            ssParts.add(ssp);
            return (o, str, n) -> {
                if (str[1] == 0) {
                    double m = acc.get(F64, o[1]);
                    ssp.set(F64, o[1], ssp.get(F64, o[1]) + SumKernels.sumSquares(s, o[0], str[0], n, t, m));
                } else {
                    for (long i = 0; i < n; i++) {
                        long ao = o[1] + i * str[1];
                        double d = Elements.getDouble(s, o[0] + i * str[0], t) - acc.get(F64, ao);
                        ssp.set(F64, ao, ssp.get(F64, ao) + d * d);
                    }
                }
            };
        });
        MemorySegment ss = combine(ssParts, outN, false);
        for (long i = 0; i < outN; i++) {
            double var = ss.get(F64, i * 8) / Math.max(count - ddof, 0);
            Elements.setDouble(so, i * item, rt, kind == Kind.STD ? Math.sqrt(var) : var);
        }
    }

    /**
     * The sums through the loop machinery, in the input's memory order: each parallel task sums into
     * accumulators of its own; they are added up afterwards.
     */
    private static MemorySegment rowSums(NDArray a, long[][] strides, long[] base, long accBytes, long outN,
            boolean ints, Scratch scratch) {
        MemorySegment s = a.buffer().memory();
        DType t = a.dtype();
        java.util.List<MemorySegment> parts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Kernels.forEachRow(a.shapeRef(), strides, base, true, 0, task -> {
            MemorySegment part = scratch.zeroed(accBytes);
            parts.add(part);
            // separate row functions for integer and float sums keep their JIT profiles apart
            return ints ? intSumRow(s, t, part) : floatSumRow(s, t, part);
        });
        return combine(parts, outN, ints);
    }

    /** Rows per block of {@link #columnSums}: the float sums take this many values each. */
    private static final long ROW_BLOCK = 256;

    /** Columns per chunk of {@link #columnSums}: 8 KiB of float or int32 sums, in L1 beside the streaming rows. */
    private static final long COLUMN_CHUNK = 2048;

    /**
     * Float32 and uint8 sums of a matrix over the axis across its contiguous rows (a.sum(0) of a C-ordered
     * matrix, a.sum(1) of a transposed one: per-feature sums and means), or across rows of every second element
     * (a[:, ::2].sum(0)): for each block of rows, each chunk of columns is summed row after row into a row of
     * float (int32) sums (four rows per pass; the input streams through in memory order), which is then added into
     * the float64 (int64) accumulators. Float32 stays as accurate as NumPy's row-after-row adds, which take every
     * row in float; uint8 sums are exact (a block's int32 sums reach 256 * 255). The column chunks split across
     * the loop threads; null for every other case.
     */
    private static MemorySegment columnSums(NDArray a, boolean[] reduced, long accBytes, Scratch scratch) {
        long[] shape = a.shapeRef();
        long[] st = a.stridesRef();
        DType t = a.dtype();
        if (!LoopSelector.VECTOR || (t != DType.FLOAT32 && t != DType.UINT8) || shape.length != 2
                || reduced[0] == reduced[1]) {
            return null;
        }
        int across = reduced[0] ? 0 : 1; // the reduced axis walks the rows, the kept one (contiguous) the columns
        int along = 1 - across;
        long item = t.byteSize();
        long colStride = st[along];  // contiguous, or every second element (a[:, ::2])
        if ((colStride != item && colStride != 2 * item) || shape[across] < 2) {
            return null;
        }
        boolean floats = t == DType.FLOAT32;
        boolean evens = colStride == 2 * item;
        MemorySegment s = a.buffer().memory();
        MemorySegment acc = scratch.zeroed(accBytes);
        long rows = shape[across], cols = shape[along], off = a.byteOffset(), rowStride = st[across];
        int parts = ParallelLoops.partsFor(a.size(), a.size() * colStride);
        long lanes = VectorLoops.F.length();
        long chunk = Math.min(COLUMN_CHUNK, ((cols + parts - 1) / parts + lanes - 1) / lanes * lanes);
        long chunks = (cols + chunk - 1) / chunk;
        Copier.split(chunks, parts > 1, (from, to) -> {
            MemorySegment sums = scratch.zeroed(chunk * 4);
            for (long r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
                long rn = Math.min(ROW_BLOCK, rows - r0);
                for (long c = from; c < to; c++) {
                    long c0 = c * chunk;
                    long w = Math.min(chunk, cols - c0);
                    long first = off + r0 * rowStride + c0 * colStride;
                    if (floats && !evens) {
                        MemorySegment.copy(s, first, sums, 0, w * 4);
                        VectorLoops.addRowsF32(sums, s, first + rowStride, rowStride, rn - 1, w);
                    } else {
                        sums.asSlice(0, w * 4).fill((byte) 0);
                        if (floats) {
                            VectorLoops.addRowsEvensF32(sums, s, first, rowStride, rn, w);
                        } else if (evens) {
                            VectorLoops.addRowsEvensU8(sums, s, first, rowStride, rn, w);
                        } else {
                            VectorLoops.addRowsU8(sums, s, first, rowStride, rn, w);
                        }
                    }
                    if (floats) {
                        SumKernels.accumulateDouble(sums, 0, 4, DType.FLOAT32, acc, c0 * 8, 8, w);
                    } else {
                        SumKernels.accumulateLong(sums, 0, 4, DType.INT32, acc, c0 * 8, 8, w);
                    }
                }
            }
        });
        return acc;
    }

    private static Kernels.Row intSumRow(MemorySegment s, DType t, MemorySegment acc) {
        return (o, str, n) -> {
            if (str[1] == 0) {
                acc.set(Elements.I64, o[1], acc.get(Elements.I64, o[1]) + SumKernels.sumInt(s, o[0], str[0], n, t));
            } else {
                SumKernels.accumulateLong(s, o[0], str[0], t, acc, o[1], str[1], n);
            }
        };
    }

    private static Kernels.Row floatSumRow(MemorySegment s, DType t, MemorySegment acc) {
        return (o, str, n) -> {
            if (str[1] == 0) {
                double v = SumKernels.sumFloat(s, o[0], str[0], n, t);
                acc.set(F64, o[1], acc.get(F64, o[1]) + v);
            } else {
                SumKernels.accumulateDouble(s, o[0], str[0], t, acc, o[1], str[1], n);
            }
        };
    }

    /** The element-wise sum of the tasks' accumulators (the first one, when there is one task). */
    private static MemorySegment combine(java.util.List<MemorySegment> parts, long outN, boolean ints) {
        MemorySegment acc = parts.get(0);
        for (int p = 1; p < parts.size(); p++) {
            MemorySegment other = parts.get(p);
            for (long i = 0; i < outN; i++) {
                if (ints) {
                    acc.set(Elements.I64, i * 8, acc.get(Elements.I64, i * 8) + other.get(Elements.I64, i * 8));
                } else {
                    acc.set(F64, i * 8, acc.get(F64, i * 8) + other.get(F64, i * 8));
                }
            }
        }
        return acc;
    }

    /** Mutable accumulator for one output element. */
    static final class Acc {
        final DType t;
        final boolean intLike;
        double sum;
        long lsum;
        double dmin, dmax;
        long lmin, lmax;
        long argIdx;
        long seen;
        boolean nan;

        Acc(DType t) {
            this.t = t;
            this.intLike = t == DType.BOOL || t.isInteger();
        }

        void reset() {
            sum = 0;
            lsum = 0;
            dmin = Double.POSITIVE_INFINITY;
            dmax = Double.NEGATIVE_INFINITY;
            lmin = 0;
            lmax = 0;
            argIdx = 0;
            seen = 0;
            nan = false;
        }
    }

    private static void reduceInto(MemorySegment s, long base, long[] redShape, long[] redStrides, Acc acc, Kind kind) {
        DType t = acc.t;
        if (redShape.length == 0) {
            visit(acc, kind, s, base, t);
            return;
        }
        if (redShape.length == 1 && (kind == Kind.ARGMAX || kind == Kind.ARGMIN)
                && argRow(acc, s, base, redStrides[0], redShape[0], kind == Kind.ARGMAX)) {
            return;  // one row per output (argmax(axis)): no iterator
        }
        NdIter.forEachRow(redShape, new long[][] {redStrides}, new long[] {base}, (offs, cnt, inner) -> {
            long o = offs[0];
            long st = inner[0];
            if ((kind == Kind.SUM || kind == Kind.MEAN) && (t == DType.FLOAT32 || t == DType.FLOAT64)) {
                double sum = 0;
                if (t == DType.FLOAT32) {
                    if (st == 4) {
                        MemorySegment row = s.asSlice(o, cnt * 4);
                        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                        long i = 0;
                        for (; i + 3 < cnt; i += 4) {
                            s0 += row.getAtIndex(F32, i);
                            s1 += row.getAtIndex(F32, i + 1);
                            s2 += row.getAtIndex(F32, i + 2);
                            s3 += row.getAtIndex(F32, i + 3);
                        }
                        for (; i < cnt; i++) {
                            s0 += row.getAtIndex(F32, i);
                        }
                        sum = (s0 + s1) + (s2 + s3);
                    } else {
                        for (long i = 0; i < cnt; i++) {
                            sum += s.get(F32, o + i * st);
                        }
                    }
                } else {
                    double c = 0;
                    for (long i = 0; i < cnt; i++) { // Kahan-Babuska summation: float64 sums stay accurate
                        double v = s.get(F64, o + i * st);
                        double tt = sum + v;
                        if (Math.abs(sum) >= Math.abs(v)) {
                            c += (sum - tt) + v;
                        } else {
                            c += (v - tt) + sum;
                        }
                        sum = tt;
                    }
                    sum += c;
                }
                acc.sum += sum;
                acc.seen += cnt;
                return;
            }
            if ((kind == Kind.ARGMAX || kind == Kind.ARGMIN) && argRow(acc, s, o, st, cnt, kind == Kind.ARGMAX)) {
                return;
            }
            for (long i = 0; i < cnt; i++) {
                visit(acc, kind, s, o + i * st, t);
            }
        });
    }

    /**
     * argmax/argmin of a row in a loop typed for its dtype (float32/float64/int32/int64/uint8), continuing
     * {@code acc}: the first extreme wins, and the first NaN wins over everything, as in NumPy. False for
     * other dtypes (the caller visits element by element).
     */
    private static boolean argRow(Acc acc, MemorySegment s, long o, long st, long n, boolean max) {
        DType t = acc.t;
        if (t != DType.FLOAT32 && t != DType.FLOAT64 && t != DType.INT32 && t != DType.INT64 && t != DType.UINT8) {
            return false;
        }
        long seen = acc.seen;
        acc.seen = seen + n;
        if (acc.nan || n == 0) {
            return true;  // a NaN stays the answer
        }
        long at = seen == 0 ? 0 : acc.argIdx;
        long i = 0;
        boolean f32 = t == DType.FLOAT32;
        if (LoopSelector.VECTOR && (f32 || t == DType.FLOAT64) && st == t.byteSize()
                && n >= (f32 ? VectorLoops.F.length() : VectorLoops.D.length()) && n <= Integer.MAX_VALUE) {
            long k = f32 ? (max ? VectorLoops.argMaxF32(s, o, n) : VectorLoops.argMinF32(s, o, n))
                    : max ? VectorLoops.argMaxF64(s, o, n) : VectorLoops.argMinF64(s, o, n);
            double v = f32 ? s.get(F32, o + k * 4) : s.get(F64, o + k * 8);
            if (v != v) {
                acc.nan = true;
                acc.argIdx = seen + k;
            } else if (seen == 0 || (max ? v > acc.dmax : v < acc.dmax)) {
                acc.dmax = v;
                acc.argIdx = seen + k;
            }
            return true;
        }
        if (t == DType.FLOAT32 || t == DType.FLOAT64) {
            double best = acc.dmax;
            if (seen == 0) {
                best = f32 ? s.get(F32, o) : s.get(F64, o);
            }
            for (; i < n; i++) {
                double v = f32 ? s.get(F32, o + i * st) : s.get(F64, o + i * st);
                if (v != v) {
                    acc.nan = true;
                    at = seen + i;
                    break;
                }
                if (max ? v > best : v < best) {
                    best = v;
                    at = seen + i;
                }
            }
            acc.dmax = best;
        } else {
            long best = seen == 0 ? intAt(s, o, t) : acc.lmax;
            for (; i < n; i++) {
                long v = intAt(s, o + i * st, t);
                if (max ? v > best : v < best) {
                    best = v;
                    at = seen + i;
                }
            }
            acc.lmax = best;
        }
        acc.argIdx = at;
        return true;
    }

    /** An int32, int64 or uint8 element as a long (all three compare as signed longs then). */
    private static long intAt(MemorySegment s, long off, DType t) {
        return t == DType.INT32 ? s.get(Elements.I32, off) : t == DType.INT64 ? s.get(Elements.I64, off)
                : Byte.toUnsignedLong(s.get(Elements.I8, off));
    }

    private static void visit(Acc acc, Kind kind, MemorySegment s, long off, DType t) {
        switch (kind) {
            case SUM, MEAN, VAR, STD -> {
                if (acc.intLike && kind == Kind.SUM) {
                    acc.lsum += Elements.getLong(s, off, t);
                } else {
                    acc.sum += Elements.getDouble(s, off, t);
                }
            }
            case MIN, MAX -> {
                if (acc.intLike) {
                    long v = Elements.getLong(s, off, t);
                    if (acc.seen == 0) {
                        acc.lmin = v;
                        acc.lmax = v;
                    } else {
                        if (ElementwiseKernels.compareInts(v, t, acc.lmin, t) < 0) {
                            acc.lmin = v;
                        }
                        if (ElementwiseKernels.compareInts(v, t, acc.lmax, t) > 0) {
                            acc.lmax = v;
                        }
                    }
                } else {
                    double v = Elements.getDouble(s, off, t);
                    if (v != v) {
                        acc.nan = true;
                    }
                    acc.dmin = Math.min(acc.dmin, v);
                    acc.dmax = Math.max(acc.dmax, v);
                }
            }
            case ARGMAX, ARGMIN -> {
                boolean max = kind == Kind.ARGMAX;
                if (acc.intLike) {
                    long v = Elements.getLong(s, off, t);
                    if (acc.seen == 0) {
                        acc.lmax = v;
                        acc.argIdx = 0;
                    } else {
                        int c = ElementwiseKernels.compareInts(v, t, acc.lmax, t);
                        if (max ? c > 0 : c < 0) {
                            acc.lmax = v;
                            acc.argIdx = acc.seen;
                        }
                    }
                } else if (!acc.nan) {
                    double v = Elements.getDouble(s, off, t);
                    if (v != v) {
                        acc.nan = true;
                        acc.argIdx = acc.seen;
                    } else if (acc.seen == 0 || (max ? v > acc.dmax : v < acc.dmax)) {
                        acc.dmax = v;
                        acc.argIdx = acc.seen;
                    }
                }
            }
        }
        acc.seen++;
    }

    private static void write(MemorySegment so, long oo, DType rt, Acc acc, Kind kind, long count, int ddof,
            MemorySegment s, long base, long[] redShape, long[] redStrides) {
        switch (kind) {
            case SUM -> {
                if (acc.intLike) {
                    Elements.setLong(so, oo, rt, acc.lsum);
                } else {
                    Elements.setDouble(so, oo, rt, acc.sum);
                }
            }
            case MEAN -> Elements.setDouble(so, oo, rt, acc.sum / count);
            case VAR, STD -> {
                double mean = acc.sum / count;
                double[] ss = {0};
                DType t = acc.t;
                if (redShape.length == 0) {
                    double d = Elements.getDouble(s, base, t) - mean;
                    ss[0] = d * d;
                } else {
                    NdIter.forEachRow(redShape, new long[][] {redStrides}, new long[] {base}, (offs, cnt, inner) -> {
                        for (long i = 0; i < cnt; i++) {
                            double d = Elements.getDouble(s, offs[0] + i * inner[0], t) - mean;
                            ss[0] += d * d;
                        }
                    });
                }
                double var = ss[0] / Math.max(count - ddof, 0);
                Elements.setDouble(so, oo, rt, kind == Kind.STD ? Math.sqrt(var) : var);
            }
            case MIN -> {
                if (acc.intLike) {
                    Elements.setLong(so, oo, rt, acc.lmin);
                } else {
                    Elements.setDouble(so, oo, rt, acc.nan ? Double.NaN : acc.dmin);
                }
            }
            case MAX -> {
                if (acc.intLike) {
                    Elements.setLong(so, oo, rt, acc.lmax);
                } else {
                    Elements.setDouble(so, oo, rt, acc.nan ? Double.NaN : acc.dmax);
                }
            }
            case ARGMAX, ARGMIN -> Elements.setLong(so, oo, rt, acc.argIdx);
        }
    }
}
