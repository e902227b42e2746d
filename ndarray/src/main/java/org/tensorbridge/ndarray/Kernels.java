package org.tensorbridge.ndarray;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.tensorbridge.core.DType;

/**
 * The loop machinery every element-wise operation runs on, NumPy's approach: broadcast the operands to
 * the result's shape, drop length-1 axes, order the axes by the output's strides (outputs are allocated
 * in the inputs' memory order, NumPy's {@code order='K'}), merge axes that are contiguous for every
 * operand, then call a typed loop ({@link Loops}) once per innermost row with each operand's stride.
 * Operands of another dtype than the loop's are converted in small chunks into per-thread buffers
 * (NumPy's buffering), so every dtype combination needs only same-type loops plus cast loops. Large
 * iterations are split across {@link ParallelLoops}.
 */
final class Kernels {
    private Kernels() {
    }

    /** Elements per buffered chunk (a chunk of each operand stays in L1/L2). */
    static final int BUF = 2048;
    /** Rows shorter than this are not gathered for a vector loop: the copy would cost more than it saves. */
    private static final long MIN_GATHER = 64;

    /**
     * What copies an operand of a row of {@code n} into scratch before the loop: its dtype conversion when it
     * has one, else {@code gather} when the row is long enough and the operand neither contiguous ({@code item})
     * nor broadcast (0), else null (the loop reads it in place).
     */
    private static Loops.Unary stagingFor(Loops.Unary convert, Loops.Unary gather, long stride, long item, long n) {
        if (convert != null) {
            return convert;
        }
        return gather != null && n >= MIN_GATHER && stride != item && stride != 0 ? gather : null;
    }
    private static final int SCRATCH = BUF * 16;

    private static final ThreadLocal<MemorySegment[]> SCRATCHES = ThreadLocal.withInitial(() -> {
        Arena a = Arena.ofAuto();
        return new MemorySegment[] {a.allocate(SCRATCH, 64), a.allocate(SCRATCH, 64), a.allocate(SCRATCH, 64),
            a.allocate(SCRATCH, 64)};
    });

    /** One innermost row: each operand's byte offset and byte stride, and the element count. */
    @FunctionalInterface
    interface Row {
        void run(long[] offs, long[] strides, long n);
    }

    // ------------------------------------------------------------------ output layout

    /**
     * Byte strides for a new array of {@code shape} laid out in the memory order of {@code like} (a full-shape
     * operand's strides), NumPy's order 'K'; C order when {@code like} is null.
     */
    static long[] kOrder(long[] shape, long[] like, int item) {
        int nd = shape.length;
        if (like == null || nd < 2) {
            return Strides.cOrder(shape, item);
        }
        Integer[] perm = new Integer[nd];
        for (int i = 0; i < nd; i++) {
            perm[i] = i;
        }
        // outermost first: larger |stride| first; stable, so ties keep C order
        Arrays.sort(perm, (p, q) -> Long.compare(Math.abs(like[q]), Math.abs(like[p])));
        long[] st = new long[nd];
        long s = item;
        for (int k = nd - 1; k >= 0; k--) {
            int ax = perm[k];
            st[ax] = s;
            s *= Math.max(shape[ax], 1);
        }
        return st;
    }

    /** The strides of the operand that fixes the output's memory order, or null for C order. */
    static long[] orderSource(long[] shape, NDArray... ops) {
        long[] found = null;
        for (NDArray a : ops) {
            if (a == null || !Arrays.equals(a.shapeRef(), shape) || a.isCContiguous()) {
                if (a != null && Arrays.equals(a.shapeRef(), shape) && a.isCContiguous()) {
                    return null; // a C-ordered full operand: keep C order
                }
                continue;
            }
            boolean zero = false;
            for (int i = 0; i < shape.length; i++) {
                zero |= a.stridesRef()[i] == 0 && shape[i] > 1;
            }
            if (!zero && found == null) {
                found = a.stridesRef();
            }
        }
        return found;
    }

    /** A new owned array of {@code r} and {@code shape} in the memory order of the operands (order 'K'). */
    static NDArray newOutput(DType r, long[] shape, NDArray... ops) {
        long[] like = orderSource(shape, ops);
        return OutputPool.newArray(r, shape, like == null ? Strides.cOrder(shape, r.byteSize())
                : kOrder(shape, like, r.byteSize()));
    }

    // ------------------------------------------------------------------ iteration

    /**
     * Iterates {@code shape} for operands with the given byte strides (already broadcast to shape) and base
     * offsets; the last operand is the output, whose strides order the axes. Calls {@code row} once per
     * innermost row, in parallel for large shapes ({@code parallel}).
     */
    static void forEachRow(long[] shape, long[][] strides, long[] base, boolean parallel, Row row) {
        forEachRow(shape, strides, base, parallel, strides.length - 1, true, task -> row);
    }

    /** As above, with the axes ordered by operand {@code orderBy}'s strides (reductions order by the input). */
    static void forEachRow(long[] shape, long[][] strides, long[] base, boolean parallel, int orderBy, Row row) {
        forEachRow(shape, strides, base, parallel, orderBy, false, task -> row);
    }

    /** Tile of {@link #tiled} iteration: rows x columns of the output. */
    private static final long TILE_ROWS = 64;
    private static final long TILE_COLUMNS = 256;

    /**
     * Whether a 2-D iteration walks an input across its rows (a transposed operand: large inner stride, small
     * outer one). Row after row, every element of such an input is a new cache line, evicted before the next
     * row reads its neighbour; in tiles the lines of one tile stay in L1 (NumPy does not tile: transposed
     * uint8 adds of 1M, 1.3 ms in NumPy).
     */
    private static boolean wantsTiles(long[] sh, long[][] st, int nd) {
        if (nd != 2 || sh[0] < 2 * TILE_ROWS || sh[1] < 2 * TILE_COLUMNS) {
            return false;
        }
        for (int o = 0; o < st.length - 1; o++) {
            if (Math.abs(st[o][1]) >= 64 && Math.abs(st[o][0]) < Math.abs(st[o][1])) {
                return true;
            }
        }
        return false;
    }

    /** Rows [r0, r1) of a 2-D iteration in tiles of TILE_ROWS x TILE_COLUMNS (each row piece one call). */
    private static void tiled(long[] sh, long[][] st, long[] base, long r0, long r1, Row row) {
        int k = st.length;
        long n = sh[1];
        long[] inner = new long[k];
        long[] offs = new long[k];
        for (int o = 0; o < k; o++) {
            inner[o] = st[o][1];
        }
        for (long rb = r0; rb < r1; rb += TILE_ROWS) {
            long re = Math.min(r1, rb + TILE_ROWS);
            for (long cb = 0; cb < n; cb += TILE_COLUMNS) {
                long cnt = Math.min(TILE_COLUMNS, n - cb);
                for (long r = rb; r < re; r++) {
                    for (int o = 0; o < k; o++) {
                        offs[o] = base[o] + r * st[o][0] + cb * inner[o];
                    }
                    row.run(offs, inner, cnt);
                }
            }
        }
    }

    /**
     * As above; every parallel task asks {@code rowFor} for its own row function (once, on its thread), so a
     * reduction can give each task its own accumulators.
     */
    static void forEachRow(long[] shape, long[][] strides, long[] base, boolean parallel, int orderBy,
            java.util.function.IntFunction<Row> rowFor) {
        forEachRow(shape, strides, base, parallel, orderBy, false, rowFor);
    }

    /**
     * As above; {@code tile}: element-wise work (each element once, in any order) may run in tiles; reductions,
     * whose rows are summed pairwise, keep whole rows.
     */
    private static void forEachRow(long[] shape, long[][] strides, long[] base, boolean parallel, int orderBy,
            boolean tile, java.util.function.IntFunction<Row> rowFor) {
        int k = strides.length;
        int nd0 = shape.length;
        long total = 1;
        for (long d : shape) {
            if (d == 0) {
                return;
            }
            total *= d;
        }
        // drop length-1 axes
        int[] axes = new int[nd0];
        int m = 0;
        for (int i = 0; i < nd0; i++) {
            if (shape[i] != 1) {
                axes[m++] = i;
            }
        }
        // order by the output's |stride|, outermost first (stable)
        long[] outSt = strides[orderBy];
        Integer[] perm = new Integer[m];
        for (int i = 0; i < m; i++) {
            perm[i] = axes[i];
        }
        Arrays.sort(perm, (p, q) -> Long.compare(Math.abs(outSt[q]), Math.abs(outSt[p])));
        // coalesce
        long[] sh = new long[m];
        long[][] st = new long[k][m];
        int nd = 0;
        for (int j = 0; j < m; j++) {
            int ax = perm[j];
            if (nd > 0) {
                boolean merge = true;
                for (int o = 0; o < k && merge; o++) {
                    merge = st[o][nd - 1] == strides[o][ax] * shape[ax];
                }
                if (merge) {
                    sh[nd - 1] *= shape[ax];
                    for (int o = 0; o < k; o++) {
                        st[o][nd - 1] = strides[o][ax];
                    }
                    continue;
                }
            }
            sh[nd] = shape[ax];
            for (int o = 0; o < k; o++) {
                st[o][nd] = strides[o][ax];
            }
            nd++;
        }
        if (nd == 0) {
            rowFor.apply(0).run(base.clone(), new long[k], 1);
            return;
        }
        long n = sh[nd - 1];
        long rows = total / n;
        int parts = parallel ? ParallelLoops.partsFor(total, footprint(sh, st, nd)) : 1;
        final int fnd = nd;
        if (tile && wantsTiles(sh, st, nd)) {
            ParallelLoops.run(Math.max(1, (int) Math.min(parts, rows / TILE_ROWS)),
                    (p, ps) -> tiled(sh, st, base, rows * p / ps, rows * (p + 1) / ps, rowFor.apply(p)));
            return;
        }
        if (parts == 1) {
            rows(sh, st, fnd, base, 0, rows, 0, n, rowFor.apply(0));
        } else if (rows >= parts) {
            ParallelLoops.run(parts, (p, ps) -> rows(sh, st, fnd, base, rows * p / ps, rows * (p + 1) / ps, 0, n,
                    rowFor.apply(p)));
        } else {
            // few long rows: split every row's columns
            long cols = (long) Math.ceil((double) parts / rows);
            long tasks = rows * cols;
            ParallelLoops.run((int) tasks, (p, ps) -> {
                long r = p / cols;
                long c = p % cols;
                rows(sh, st, fnd, base, r, r + 1, n * c / cols, n * (c + 1) / cols, rowFor.apply(p));
            });
        }
    }

    /**
     * Bytes of memory a coalesced iteration touches: per operand, its distinct elements (axes it is broadcast
     * along, stride 0, do not count) times its smallest stride, at most a cache line per element.
     */
    private static long footprint(long[] sh, long[][] st, int nd) {
        long bytes = 0;
        for (long[] strides : st) {
            long distinct = 1;
            long step = Long.MAX_VALUE;
            for (int ax = 0; ax < nd; ax++) {
                long s = Math.abs(strides[ax]);
                if (s != 0) {
                    distinct *= sh[ax];
                    step = Math.min(step, s);
                }
            }
            bytes += step == Long.MAX_VALUE ? 0 : distinct * Math.min(step, 64);
        }
        return bytes;
    }

    /** Rows [r0, r1) of the coalesced iteration, columns [c0, c1) of each. */
    private static void rows(long[] sh, long[][] st, int nd, long[] base, long r0, long r1, long c0, long c1,
            Row row) {
        int k = st.length;
        long[] cur = new long[k];
        long[] inner = new long[k];
        long[] offs = new long[k];
        int outer = nd - 1;
        long[] idx = new long[Math.max(outer, 1)];
        long rem = r0;
        for (int o = 0; o < k; o++) {
            cur[o] = base[o];
            inner[o] = st[o][nd - 1];
        }
        for (int ax = outer - 1; ax >= 0; ax--) {
            idx[ax] = rem % sh[ax];
            rem /= sh[ax];
            for (int o = 0; o < k; o++) {
                cur[o] += idx[ax] * st[o][ax];
            }
        }
        long cnt = c1 - c0;
        for (long r = r0; r < r1; r++) {
            for (int o = 0; o < k; o++) {
                offs[o] = cur[o] + c0 * inner[o];
            }
            row.run(offs, inner, cnt);
            for (int ax = outer - 1; ax >= 0; ax--) {
                idx[ax]++;
                for (int o = 0; o < k; o++) {
                    cur[o] += st[o][ax];
                }
                if (idx[ax] < sh[ax]) {
                    break;
                }
                for (int o = 0; o < k; o++) {
                    cur[o] -= st[o][ax] * sh[ax];
                }
                idx[ax] = 0;
            }
        }
    }

    // ------------------------------------------------------------------ operations

    /** Broadcast strides of {@code a} for {@code shape}. */
    static long[] bstrides(NDArray a, long[] shape) {
        long[] s = a.shapeRef();
        long[] st = a.stridesRef();
        int lead = shape.length - s.length;
        long[] out = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            out[lead + i] = s[i] == 1 && shape[lead + i] != 1 ? 0 : st[i];
        }
        return out;
    }

    /** One input of a loop: its memory, dtype, byte strides broadcast to the result's shape and offset. */
    record Operand(MemorySegment seg, DType type, long[] strides, long offset) {
        static Operand of(NDArray a, long[] shape) {
            return new Operand(a.buffer().memory(), a.dtype(), bstrides(a, shape), a.byteOffset());
        }
    }

    /**
     * Operands staged into C-ordered temporaries for one operation, given back at its end. A 2-D operand of
     * 1-byte elements read across its rows (a transposed view, the output in C order) is transposed first
     * ({@link ByteTranspose}): then the operation's loop runs on contiguous rows, where it would otherwise
     * load and store byte by byte with a large stride.
     */
    static final class Staging implements AutoCloseable {
        private NDArray[] temporaries = new NDArray[0];

        static void close(Staging staging) {
            if (staging != null) {
                staging.close();
            }
        }

        Operand rowMajor(Operand op, NDArray out) {
            if (!transposedBytes(op, out)) {
                return op;
            }
            long[] shape = out.shapeRef();
            NDArray staged = OutputPool.newArray(op.type(), shape, Strides.cOrder(shape, 1));
            temporaries = Arrays.copyOf(temporaries, temporaries.length + 1);
            temporaries[temporaries.length - 1] = staged;
            MemorySegment to = staged.buffer().memory();
            ByteTranspose.transpose(op.seg(), op.offset(), op.strides()[1], to, 0, shape[1], shape[0], shape[1]);
            return new Operand(to, op.type(), staged.stridesRef(), 0);
        }

        /** A 2-D operand of 1-byte elements whose columns are contiguous, for a C-ordered output of 64 x 64 or more. */
        static boolean transposedBytes(Operand op, NDArray out) {
            long[] shape = out.shapeRef();
            long[] st = op.strides();
            long[] outSt = out.stridesRef();
            return op.type().byteSize() == 1 && shape.length == 2 && shape[0] >= 64 && shape[1] >= 64 && st[0] == 1
                    && st[1] >= shape[0] && outSt[1] == out.itemSize() && outSt[0] >= outSt[1] * shape[1];
        }

        @Override
        public void close() {
            for (NDArray t : temporaries) {
                t.close();
            }
        }
    }

    private static final ThreadLocal<MemorySegment> SCALARS = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(128, 64));

    /**
     * {@code a} as an operand of dtype {@code c}: a size-1 array of another dtype is converted once into the
     * calling thread's scalar slot {@code slot} (0..3) and read with stride 0.
     */
    static Operand operand(NDArray a, long[] shape, DType c, int slot) {
        if (a.dtype() == c || a.size() != 1 || c.isComplex() || a.dtype().isComplex()) {
            return Operand.of(a, shape);
        }
        MemorySegment s = SCALARS.get();
        Elements.convert(a.buffer().memory(), a.byteOffset(), a.dtype(), s, slot * 32L, c);
        return new Operand(s, c, new long[shape.length], slot * 32L);
    }

    /** A Python-float scalar taking dtype {@code t} (NEP 50), as an operand of loop dtype {@code c}. */
    static Operand scalar(double v, DType t, DType c, int rank, int slot) {
        MemorySegment s = SCALARS.get();
        long off = slot * 32L;
        Elements.setDouble(s, off + 16, t, v);
        Elements.convert(s, off + 16, t, s, off, c);
        return new Operand(s, c, new long[rank], off);
    }

    /** A Python-int scalar taking dtype {@code t}, as an operand of loop dtype {@code c}. */
    static Operand scalar(long v, DType t, DType c, int rank, int slot) {
        MemorySegment s = SCALARS.get();
        long off = slot * 32L;
        Elements.setLong(s, off + 16, t, v);
        Elements.convert(s, off + 16, t, s, off, c);
        return new Operand(s, c, new long[rank], off);
    }

    /**
     * {@code out = op(a, b)} with loop {@code loop} working in dtype {@code c}; a and b are converted to c in
     * chunks when their dtype differs; out is converted from {@code loopOut} (c, or BOOL for comparisons)
     * when its dtype differs.
     */
    static void binary(Operand a, Operand b, NDArray out, DType c, DType loopOut, Loops.Binary loop) {
        // the common case allocates nothing for staging
        Staging staging = Staging.transposedBytes(a, out) || Staging.transposedBytes(b, out) ? new Staging() : null;
        if (staging != null) {
            a = staging.rowMajor(a, out);
            b = staging.rowMajor(b, out);
        }
        try {  // no helper between here and the loops: every call level counts toward C2's inlining limit
            long[] shape = out.shapeRef();
            MemorySegment sa = a.seg();
            MemorySegment sb = b.seg();
            MemorySegment so = out.buffer().memory();
            Loops.Unary ca = a.type() == c ? null : LoopSelector.cast(a.type(), c);
            Loops.Unary cb = b.type() == c ? null : LoopSelector.cast(b.type(), c);
            Loops.Unary co = out.dtype() == loopOut ? null : LoopSelector.cast(loopOut, out.dtype());
            long ci = c.byteSize();
            long oi = loopOut.byteSize();
            // uint8 operands at other strides (a[..., ::2]) are gathered chunk by chunk, as where's are, so that
            // the vector loop runs on them (mul of every second byte of 1M: 228 -> 57 us); not for a scalar loop
            // (power), which reads strides as fast. Wider dtypes are not: measured, gathering float32/float64/int32
            // operands first was no faster than the typed loop's strided branch, and slower for float64
            // (0.55-0.61x), whose strided rows are memory-bound at 1M.
            Loops.Unary gather = c == DType.UINT8 && LoopSelector.isVector(loop) ? LoopSelector.cast(c, c) : null;
            Row r;
            if (ca == null && cb == null && co == null && gather == null) {
                r = (o, s, n) -> loop.run(sa, o[0], s[0], sb, o[1], s[1], so, o[2], s[2], n);
            } else {
                r = (o, s, n) -> {
                    Loops.Unary ga = stagingFor(ca, gather, s[0], ci, n);
                    Loops.Unary gb = stagingFor(cb, gather, s[1], ci, n);
                    if (ga == null && gb == null && co == null) {
                        loop.run(sa, o[0], s[0], sb, o[1], s[1], so, o[2], s[2], n);
                        return;
                    }
                    MemorySegment[] buf = SCRATCHES.get();
                    for (long i = 0; i < n; i += BUF) {
                        long m = Math.min(BUF, n - i);
                        MemorySegment xa = sa, xb = sb;
                        long oa = o[0] + i * s[0], ob = o[1] + i * s[1], oo = o[2] + i * s[2];
                        long ssa = s[0], ssb = s[1], sso = s[2];
                        // an operand broadcast along the row (stride 0) is converted once and read with stride 0
                        if (ga != null) {
                            ga.run(sa, oa, ssa, buf[0], 0, ci, ssa == 0 ? 1 : m);
                            xa = buf[0];
                            oa = 0;
                            ssa = ssa == 0 ? 0 : ci;
                        }
                        if (gb != null) {
                            gb.run(sb, ob, ssb, buf[1], 0, ci, ssb == 0 ? 1 : m);
                            xb = buf[1];
                            ob = 0;
                            ssb = ssb == 0 ? 0 : ci;
                        }
                        if (co != null) {
                            loop.run(xa, oa, ssa, xb, ob, ssb, buf[2], 0, oi, m);
                            co.run(buf[2], 0, oi, so, oo, sso, m);
                        } else {
                            loop.run(xa, oa, ssa, xb, ob, ssb, so, oo, sso, m);
                        }
                    }
                };
            }
            forEachRow(shape, new long[][] {a.strides(), b.strides(), out.stridesRef()},
                    new long[] {a.offset(), b.offset(), out.byteOffset()}, true, r);
        } finally {
            Staging.close(staging);
        }
    }

    /** {@code out = op(a)} with loop {@code loop} in dtype {@code c} (inputs/outputs converted in chunks). */
    static void unary(NDArray a, NDArray out, DType c, Loops.Unary loop) {
        long[] shape = out.shapeRef();
        MemorySegment sa = a.buffer().memory();
        MemorySegment so = out.buffer().memory();
        Loops.Unary ca = a.dtype() == c ? null : LoopSelector.cast(a.dtype(), c);
        Loops.Unary co = out.dtype() == c ? null : LoopSelector.cast(c, out.dtype());
        long ci = c.byteSize();
        Row r;
        if (ca == null && co == null) {
            // A strided input is gathered chunk by chunk into a contiguous buffer first, so that the vector loop
            // runs on it instead of the scalar strided loop: Math.exp costs ~5 ns per element, the vector exp a
            // fraction of that (exp of every second float32 of 1M: 4.8-7.9 ms -> 1.4-3.5 ms, noisy 2-core VM).
            Loops.Unary gather = LoopSelector.isVector(loop) ? LoopSelector.cast(c, c) : null;
            r = (o, s, n) -> {
                if (stagingFor(null, gather, s[0], ci, n) == null) {
                    loop.run(sa, o[0], s[0], so, o[1], s[1], n);
                    return;
                }
                MemorySegment b = SCRATCHES.get()[0];
                for (long i = 0; i < n; i += BUF) {
                    long m = Math.min(BUF, n - i);
                    gather.run(sa, o[0] + i * s[0], s[0], b, 0, ci, m);
                    loop.run(b, 0, ci, so, o[1] + i * s[1], s[1], m);
                }
            };
        } else {
            r = (o, s, n) -> {
                MemorySegment[] buf = SCRATCHES.get();
                for (long i = 0; i < n; i += BUF) {
                    long m = Math.min(BUF, n - i);
                    MemorySegment xa = sa;
                    long oa = o[0] + i * s[0], ssa = s[0];
                    if (ca != null) {
                        ca.run(sa, oa, ssa, buf[0], 0, ci, m);
                        xa = buf[0];
                        oa = 0;
                        ssa = ci;
                    }
                    if (co != null) {
                        loop.run(xa, oa, ssa, buf[2], 0, ci, m);
                        co.run(buf[2], 0, ci, so, o[1] + i * s[1], s[1], m);
                    } else {
                        loop.run(xa, oa, ssa, so, o[1] + i * s[1], s[1], m);
                    }
                }
            };
        }
        forEachRow(shape, new long[][] {bstrides(a, shape), out.stridesRef()},
                new long[] {a.byteOffset(), out.byteOffset()}, true, r);
    }

    /** {@code dst = src} converted (src broadcast to dst's shape); false when no loop exists (complex). */
    static boolean copy(NDArray src, NDArray dst) {
        Loops.Unary loop = LoopSelector.cast(src.dtype(), dst.dtype());
        if (loop == null) {
            return false;
        }
        long[] shape = dst.shapeRef();
        MemorySegment ss = src.buffer().memory();
        MemorySegment sd = dst.buffer().memory();
        long item = src.dtype().byteSize();
        boolean same = src.dtype() == dst.dtype();
        forEachRow(shape, new long[][] {bstrides(src, shape), dst.stridesRef()},
                new long[] {src.byteOffset(), dst.byteOffset()}, true, (o, s, n) -> {
                    if (same && s[0] == item && s[1] == item) {
                        BulkCopy.copy(ss, o[0], sd, o[1], n * item);
                    } else {
                        loop.run(ss, o[0], s[0], sd, o[1], s[1], n);
                    }
                });
        return true;
    }

    /** {@code out = cond ? x : y} (x, y converted to out's dtype in chunks); false when no loop exists. */
    static boolean where(Operand cond, Operand x, Operand y, NDArray out) {
        Staging staging = Staging.transposedBytes(cond, out) || Staging.transposedBytes(x, out)
                || Staging.transposedBytes(y, out) ? new Staging() : null;
        if (staging != null) {
            cond = staging.rowMajor(cond, out);
            x = staging.rowMajor(x, out);
            y = staging.rowMajor(y, out);
        }
        try {  // no helper between here and the loops (C2's inlining limit)
            DType r = out.dtype();
            Loops.Ternary loop = LoopSelector.where(r.byteSize());
            Loops.Unary cc = cond.type() == DType.BOOL ? null : LoopSelector.cast(cond.type(), DType.BOOL);
            Loops.Unary cx = x.type() == r ? null : LoopSelector.cast(x.type(), r);
            Loops.Unary cy = y.type() == r ? null : LoopSelector.cast(y.type(), r);
            if (loop == null || r.isComplex() || (cond.type() != DType.BOOL && cc == null)
                    || (x.type() != r && cx == null) || (y.type() != r && cy == null)) {
                return false;
            }
            long[] shape = out.shapeRef();
            MemorySegment sc = cond.seg();
            MemorySegment sx = x.seg();
            MemorySegment sy = y.seg();
            MemorySegment so = out.buffer().memory();
            long ri = r.byteSize();
            // 1-byte operands at other strides (a[..., ::2]) are gathered chunk by chunk, as a cast would convert
            // them, so that the vector where runs: the scalar byte loop ran at 0.74x-0.79x NumPy's on one core
            Loops.Unary gather = ri == 1 && LoopSelector.isVector(loop) ? LoopSelector.cast(r, r) : null;
            Row row;
            if (cc == null && cx == null && cy == null && gather == null) {
                row = (o, s, n) -> loop.run(sc, o[0], s[0], sx, o[1], s[1], sy, o[2], s[2], so, o[3], s[3], n);
            } else {
                row = (o, s, n) -> {
                    Loops.Unary gx = stagingFor(cx, gather, s[1], ri, n);
                    Loops.Unary gy = stagingFor(cy, gather, s[2], ri, n);
                    if (cc == null && gx == null && gy == null) {
                        loop.run(sc, o[0], s[0], sx, o[1], s[1], sy, o[2], s[2], so, o[3], s[3], n);
                        return;
                    }
                    MemorySegment[] buf = SCRATCHES.get();
                    for (long i = 0; i < n; i += BUF) {
                        long m = Math.min(BUF, n - i);
                        MemorySegment mc = sc, mx = sx, my = sy;
                        long oc = o[0] + i * s[0], ox = o[1] + i * s[1], oy = o[2] + i * s[2];
                        long stc = s[0], stx = s[1], sty = s[2];
                        if (cc != null) {
                            cc.run(sc, oc, stc, buf[3], 0, 1, m);
                            mc = buf[3];
                            oc = 0;
                            stc = 1;
                        }
                        if (gx != null) {
                            gx.run(sx, ox, stx, buf[0], 0, ri, m);
                            mx = buf[0];
                            ox = 0;
                            stx = ri;
                        }
                        if (gy != null) {
                            gy.run(sy, oy, sty, buf[1], 0, ri, m);
                            my = buf[1];
                            oy = 0;
                            sty = ri;
                        }
                        loop.run(mc, oc, stc, mx, ox, stx, my, oy, sty, so, o[3] + i * s[3], s[3], m);
                    }
                };
            }
            forEachRow(shape, new long[][] {cond.strides(), x.strides(), y.strides(), out.stridesRef()},
                    new long[] {cond.offset(), x.offset(), y.offset(), out.byteOffset()}, true, row);
            return true;
        } finally {
            Staging.close(staging);
        }
    }

    // ------------------------------------------------------------------ scalar helpers for the loops

    /** Integer power by squaring; negative exponents of signed types are refused as NumPy does. */
    static long ipow(long base, long exp, boolean unsigned) {
        if (exp < 0 && !unsigned) {
            throw new IllegalArgumentException("Integers to negative integer powers are not allowed"
                    + " (convert to a float dtype with astype first)");
        }
        long result = 1;
        long b = base;
        long e = exp;
        while (e != 0) {
            if ((e & 1) != 0) {
                result *= b;
            }
            b *= b;
            e >>>= 1;
        }
        return result;
    }

    static float expf(float x) {
        return (float) Math.exp(x);
    }
}
