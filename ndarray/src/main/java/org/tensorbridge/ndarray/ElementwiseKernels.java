package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.tensorbridge.ndarray.Elements.F32;
import static org.tensorbridge.ndarray.Elements.F64;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Elementwise arithmetic, comparisons, unary math and where, with NumPy broadcasting and NumPy 2 type
 * promotion. Every real dtype runs on the typed loops of {@link Loops} through {@link Kernels} (any layout:
 * contiguous, scalar, broadcast, strided); results are laid out in the inputs' memory order (NumPy's
 * order 'K'). Complex operands and the few mixed cases without an exact loop (uint64 compared with a
 * signed type) take the element-by-element path at the end of each section.
 */
final class ElementwiseKernels {
    private ElementwiseKernels() {
    }

    enum BinOp {
        ADD, SUB, MUL, DIV, POW, MIN, MAX;
        /** The loop's name in {@link Loops} (and in messages). */
        final String loop = name().toLowerCase(java.util.Locale.ROOT);
    }

    enum CmpOp {
        EQ, NE, LT, LE, GT, GE;
        final String loop = name().toLowerCase(java.util.Locale.ROOT);
    }

    enum UnOp {
        ABS, NEG, SQRT, EXP, LOG, RINT;
        final String loop = name().toLowerCase(java.util.Locale.ROOT);
    }

    private static void requireReal(DType t, String what) {
        if (t.isComplex()) {
            throw new IllegalArgumentException(what + " is not supported for complex arrays (" + t.numpyName() + ")");
        }
    }

    static DType binaryResultType(DType a, DType b, BinOp op) {
        DType r = Promotion.promote(a, b);
        if (ComplexLoops.binary(op.loop, r) == null) {
            requireReal(r, op.loop);
        }
        return resultFor(r, op);
    }

    /**
     * {@code out = loop(a, b)} for a complex loop of dtype {@code c}: operands of another dtype are converted to
     * c first (whole, into temporaries), so the loop sees one dtype.
     */
    private static void complexBinary(NDArray a, NDArray b, DType c, Loops.Binary loop, NDArray out) {
        long[] shape = out.shapeRef();
        try (NDArray ac = a.dtype() == c ? null : a.astype(c); NDArray bc = b.dtype() == c ? null : b.astype(c)) {
            Kernels.binary(Kernels.Operand.of(ac == null ? a : ac, shape), Kernels.Operand.of(bc == null ? b : bc, shape),
                    out, c, out.dtype(), loop);
        }
    }

    /** A complex array with a Python scalar: NumPy keeps the array's complex dtype. */
    private static NDArray complexWithScalar(NDArray a, double s, BinOp op, boolean reversed) {
        DType r = binaryResultType(a.dtype(), a.dtype(), op);  // refuses what complex arrays cannot do
        try (NDArray sc = NDArray.scalar(a.dtype(), s)) {
            return reversed ? binary(sc, a, op, r) : binary(a, sc, op, r);
        }
    }

    private static DType resultFor(DType r, BinOp op) {
        if (op == BinOp.SUB && r == DType.BOOL) {
            throw new IllegalArgumentException("numpy boolean subtract is not supported: use logical xor, or convert"
                    + " the operands with astype(DType.INT8) (or another numeric dtype) first");
        }
        if (op == BinOp.DIV && (r == DType.BOOL || r.isInteger())) {
            return DType.FLOAT64;
        }
        if (op == BinOp.POW && r == DType.BOOL) {
            return DType.INT8;
        }
        return r;
    }

    // ------------------------------------------------------------------ binary

    static NDArray binary(NDArray a, NDArray b, BinOp op) {
        return NDArray.pinned(new NDArray[] {a, b}, () -> binaryPinned(a, b, op));
    }

    // binary with its inputs held (a close on another thread waits for it)
    private static NDArray binaryPinned(NDArray a, NDArray b, BinOp op) {

        return binary(a, b, op, binaryResultType(a.dtype(), b.dtype(), op));
    }

    /** The dtype a loop computes in for result dtype {@code r}: float16/bfloat16 compute in float32. */
    static DType loopType(DType r) {
        return r == DType.FLOAT16 || r == DType.BFLOAT16 ? DType.FLOAT32 : r;
    }

    private static NDArray scalarOp(NDArray a, Kernels.Operand sc, DType r, DType c, Loops.Binary loop, boolean reversed) {
        long[] shape = a.shapeRef();
        NDArray out = Kernels.newOutput(r, shape, a);
        try {
            if (out.size() > 0) {
                Kernels.Operand x = Kernels.Operand.of(a, shape);
                Kernels.binary(reversed ? sc : x, reversed ? x : sc, out, c, c, loop);
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /** a op scalar (or scalar op a when reversed), scalar a weak Python float. */
    static NDArray binaryScalar(NDArray a, double s, BinOp op, boolean reversed) {
        return NDArray.pinned(new NDArray[] {a}, () -> binaryScalarPinned(a, s, op, reversed));
    }

    // binaryScalar with its inputs held (a close on another thread waits for it)
    private static NDArray binaryScalarPinned(NDArray a, double s, BinOp op, boolean reversed) {
        if (a.dtype().isComplex()) {
            return complexWithScalar(a, s, op, reversed);
        }
        DType t = Promotion.withPythonFloat(a.dtype());
        DType r = resultFor(t, op);
        DType c = loopType(r);
        Loops.Binary loop = LoopSelector.binary(op.loop, c);
        if (loop != null) {
            return scalarOp(a, Kernels.scalar(s, t, c, a.ndim(), 1), r, c, loop, reversed);
        }
        try (NDArray sc = NDArray.scalar(t, s)) {
            return reversed ? binary(sc, a, op, r) : binary(a, sc, op, r);
        }
    }

    /** a op scalar, scalar a weak Python int. */
    static NDArray binaryScalar(NDArray a, long s, BinOp op, boolean reversed) {
        return NDArray.pinned(new NDArray[] {a}, () -> binaryScalarPinned(a, s, op, reversed));
    }

    // binaryScalar with its inputs held (a close on another thread waits for it)
    private static NDArray binaryScalarPinned(NDArray a, long s, BinOp op, boolean reversed) {
        if (a.dtype().isComplex()) {
            return complexWithScalar(a, s, op, reversed);
        }
        DType t = Promotion.withPythonInt(a.dtype(), s);
        DType r = resultFor(t, op);
        DType c = loopType(r);
        Loops.Binary loop = LoopSelector.binary(op.loop, c);
        if (loop != null) {
            return scalarOp(a, Kernels.scalar(s, t, c, a.ndim(), 1), r, c, loop, reversed);
        }
        try (NDArray sc = NDArray.zeros(t)) {
            sc.setLong(s);
            return reversed ? binary(sc, a, op, r) : binary(a, sc, op, r);
        }
    }

    static NDArray binary(NDArray a, NDArray b, BinOp op, DType r) {
        long[] shape = Broadcast.shape(a.shapeRef(), b.shapeRef());
        NDArray out = Kernels.newOutput(r, shape, a, b);
        try {
            binaryInto(a, b, op, out);
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    private static void binaryInto(NDArray a, NDArray b, BinOp op, NDArray out) {
        DType r = out.dtype();
        long n = out.size();
        if (n == 0) {
            return;
        }
        long[] shape = out.shapeRef();
        if (r.isComplex()) {
            complexBinary(a, b, r, ComplexLoops.binary(op.loop, r), out);
            return;
        }
        DType c = loopType(r);
        Loops.Binary loop = LoopSelector.binary(op.loop, c);
        if (loop != null && !a.dtype().isComplex() && !b.dtype().isComplex()) {
            Kernels.binary(Kernels.operand(a, shape, c, 0), Kernels.operand(b, shape, c, 1), out, c, c, loop);
            return;
        }
        NDArray av = a.borrowBroadcast(shape);
        NDArray bv = b.borrowBroadcast(shape);
        MemorySegment sa = a.buffer().memory();
        MemorySegment sb = b.buffer().memory();
        MemorySegment so = out.buffer().memory();
        DType ta = a.dtype();
        DType tb = b.dtype();
        boolean floatMath = r.isFloatingPoint();
        boolean boolMath = r == DType.BOOL;
        boolean unsigned = r == DType.UINT64;
        NdIter.forEachRow(shape, new long[][] {av.stridesRef(), bv.stridesRef(), out.stridesRef()},
                new long[] {av.byteOffset(), bv.byteOffset(), out.byteOffset()}, (offs, cnt, inner) -> {
                    long oa = offs[0], ob = offs[1], oo = offs[2];
                    for (long i = 0; i < cnt; i++, oa += inner[0], ob += inner[1], oo += inner[2]) {
                        if (floatMath) {
                            double x = Elements.getDouble(sa, oa, ta);
                            double y = Elements.getDouble(sb, ob, tb);
                            Elements.setDouble(so, oo, r, applyDouble(op, x, y));
                        } else if (boolMath) {
                            boolean x = Elements.getBoolean(sa, oa, ta);
                            boolean y = Elements.getBoolean(sb, ob, tb);
                            boolean v = switch (op) {
                                case ADD, MAX -> x | y;
                                case MUL, MIN -> x & y;
                                default -> throw new IllegalStateException(op + " on bool");
                            };
                            Elements.setLong(so, oo, r, v ? 1 : 0);
                        } else {
                            long x = Elements.getLong(sa, oa, ta);
                            long y = Elements.getLong(sb, ob, tb);
                            Elements.setLong(so, oo, r, applyLong(op, x, y, unsigned));
                        }
                    }
                });
    }

    static double applyDouble(BinOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> Math.pow(x, y);
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
        };
    }

    static long applyLong(BinOp op, long x, long y, boolean unsigned) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> throw new IllegalStateException("integer true division yields float");
            case POW -> Kernels.ipow(x, y, unsigned);
            case MIN -> (unsigned ? Long.compareUnsigned(x, y) : Long.compare(x, y)) <= 0 ? x : y;
            case MAX -> (unsigned ? Long.compareUnsigned(x, y) : Long.compare(x, y)) >= 0 ? x : y;
        };
    }


    // ------------------------------------------------------------------ comparisons

    /** The loop dtype of a comparison of {@code ta} with {@code tb}, or null when no loop is exact. */
    private static DType compareLoopType(DType ta, DType tb) {
        DType p = Promotion.promote(ta, tb);
        if (p == DType.FLOAT64 && isIntLike(ta) && isIntLike(tb)) {
            return null; // uint64 with a signed type: compared exactly below, not through float64
        }
        return p.isComplex() ? null : loopType(p);
    }

    static NDArray compare(NDArray a, NDArray b, CmpOp op) {
        return NDArray.pinned(new NDArray[] {a, b}, () -> comparePinned(a, b, op));
    }

    // compare with its inputs held (a close on another thread waits for it)
    private static NDArray comparePinned(NDArray a, NDArray b, CmpOp op) {
        DType p = Promotion.promote(a.dtype(), b.dtype());
        long[] shape = Broadcast.shape(a.shapeRef(), b.shapeRef());
        if (p.isComplex()) {
            Loops.Binary equality = ComplexLoops.binary(op.loop, p);
            if (equality == null) {
                throw new IllegalArgumentException("complex arrays (" + p.numpyName() + ") compare with == and != only:"
                        + " order them by a real quantity instead, e.g. a.abs() (magnitude)");
            }
            NDArray out = Kernels.newOutput(DType.BOOL, shape, a, b);
            try {
                complexBinary(a, b, p, equality, out);
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        }
        DType lt = compareLoopType(a.dtype(), b.dtype());
        Loops.Binary loop = lt == null ? null : LoopSelector.binary(op.loop, lt);
        NDArray out = loop != null ? Kernels.newOutput(DType.BOOL, shape, a, b) : NDArray.empty(DType.BOOL, shape);
        if (out.size() == 0) {
            return out;
        }
        if (loop != null) {
            try {
                Kernels.binary(Kernels.operand(a, shape, lt, 0), Kernels.operand(b, shape, lt, 1), out, lt, DType.BOOL,
                        loop);
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        }
        NDArray av = a.borrowBroadcast(shape);
        NDArray bv = b.borrowBroadcast(shape);
        MemorySegment sa = a.buffer().memory();
        MemorySegment sb = b.buffer().memory();
        MemorySegment so = out.buffer().memory();
        DType ta = a.dtype();
        DType tb = b.dtype();
        boolean exactInts = isIntLike(ta) && isIntLike(tb);
        NdIter.forEachRow(shape, new long[][] {av.stridesRef(), bv.stridesRef(), out.stridesRef()},
                new long[] {av.byteOffset(), bv.byteOffset(), out.byteOffset()}, (offs, cnt, inner) -> {
                    long oa = offs[0], ob = offs[1], oo = offs[2];
                    for (long i = 0; i < cnt; i++, oa += inner[0], ob += inner[1], oo += inner[2]) {
                        boolean v;
                        if (exactInts) {
                            int c = compareInts(Elements.getLong(sa, oa, ta), ta, Elements.getLong(sb, ob, tb), tb);
                            v = switch (op) {
                                case EQ -> c == 0;
                                case NE -> c != 0;
                                case LT -> c < 0;
                                case LE -> c <= 0;
                                case GT -> c > 0;
                                case GE -> c >= 0;
                            };
                        } else {
                            double x = Elements.getDouble(sa, oa, ta);
                            double y = Elements.getDouble(sb, ob, tb);
                            v = switch (op) {
                                case EQ -> x == y;
                                case NE -> x != y;
                                case LT -> x < y;
                                case LE -> x <= y;
                                case GT -> x > y;
                                case GE -> x >= y;
                            };
                        }
                        so.set(Elements.I8, oo, (byte) (v ? 1 : 0));
                    }
                });
        return out;
    }

    private static boolean isIntLike(DType t) {
        return t == DType.BOOL || t.isInteger();
    }

    /** Exact comparison of integer values of possibly different signedness. */
    static int compareInts(long x, DType tx, long y, DType ty) {
        boolean ux = tx == DType.UINT64;
        boolean uy = ty == DType.UINT64;
        if (ux && uy) {
            return Long.compareUnsigned(x, y);
        }
        if (ux && x < 0) {
            return 1;
        }
        if (uy && y < 0) {
            return -1;
        }
        return Long.compare(x, y);
    }

    static NDArray compareScalar(NDArray a, double s, CmpOp op) {
        return NDArray.pinned(new NDArray[] {a}, () -> compareScalarPinned(a, s, op));
    }

    // compareScalar with its inputs held (a close on another thread waits for it)
    private static NDArray compareScalarPinned(NDArray a, double s, CmpOp op) {

        DType t = Promotion.withPythonFloat(a.dtype());
        DType c = t.isComplex() ? null : loopType(t);
        Loops.Binary loop = c == null ? null : LoopSelector.binary(op.loop, c);
        if (loop != null) {
            return compareWithScalar(a, Kernels.scalar(s, t, c, a.ndim(), 1), c, loop);
        }
        try (NDArray sc = NDArray.scalar(t, s)) {
            return compare(a, sc, op);
        }
    }

    static NDArray compareScalar(NDArray a, long s, CmpOp op) {
        return NDArray.pinned(new NDArray[] {a}, () -> compareScalarPinned(a, s, op));
    }

    // compareScalar with its inputs held (a close on another thread waits for it)
    private static NDArray compareScalarPinned(NDArray a, long s, CmpOp op) {

        DType t = a.dtype();
        DType st = (t.isInteger() && Promotion.fits(t, s)) ? t : (t.isFloatingPoint() || t.isComplex() ? t : DType.INT64);
        DType c = compareLoopType(t, st);
        Loops.Binary loop = c == null ? null : LoopSelector.binary(op.loop, c);
        if (loop != null) {
            return compareWithScalar(a, Kernels.scalar(s, st, c, a.ndim(), 1), c, loop);
        }
        try (NDArray sc = NDArray.zeros(st)) {
            sc.setLong(s);
            return compare(a, sc, op);
        }
    }

    private static NDArray compareWithScalar(NDArray a, Kernels.Operand sc, DType c, Loops.Binary loop) {
        long[] shape = a.shapeRef();
        NDArray out = Kernels.newOutput(DType.BOOL, shape, a);
        try {
            if (out.size() > 0) {
                Kernels.binary(Kernels.Operand.of(a, shape), sc, out, c, DType.BOOL, loop);
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    // ------------------------------------------------------------------ unary

    static DType unaryResultType(DType t, UnOp op) {
        if (t.isComplex() && t != DType.COMPLEX32 && (op == UnOp.NEG || op == UnOp.ABS)) {
            return op == UnOp.NEG ? t : t == DType.COMPLEX64 ? DType.FLOAT32 : DType.FLOAT64;  // |x| is real
        }
        requireReal(t, op.loop);
        return switch (op) {
            case ABS, RINT -> t;
            case NEG -> {
                if (t == DType.BOOL) {
                    throw new IllegalArgumentException("the numpy boolean negative is not supported: use logical not,"
                            + " or astype a numeric dtype first");
                }
                yield t;
            }
            default -> Promotion.floatFor(t);
        };
    }

    static NDArray unary(NDArray a, UnOp op) {
        return NDArray.pinned(new NDArray[] {a}, () -> unaryPinned(a, op));
    }

    // unary with its inputs held (a close on another thread waits for it)
    private static NDArray unaryPinned(NDArray a, UnOp op) {
        DType r = unaryResultType(a.dtype(), op);
        if (a.dtype().isComplex()) {
            Loops.Unary loop = op == UnOp.NEG ? ComplexLoops.negative(a.dtype()) : ComplexLoops.magnitude(a.dtype());
            long[] shape = a.shapeRef();
            NDArray out = Kernels.newOutput(r, shape, a);
            MemorySegment sa = a.buffer().memory();
            MemorySegment so = out.buffer().memory();
            try {
                Kernels.forEachRow(shape, new long[][] {Kernels.bstrides(a, shape), out.stridesRef()},
                        new long[] {a.byteOffset(), out.byteOffset()}, true, (o, st, n) -> loop.run(sa, o[0], st[0], so,
                                o[1], st[1], n));
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        }
        DType c = loopType(r);
        Loops.Unary loop = a.dtype().isComplex() ? null : LoopSelector.unary(op.loop, c);
        NDArray out = loop != null ? Kernels.newOutput(r, a.shapeRef(), a) : NDArray.empty(r, a.shapeRef());
        long n = out.size();
        if (n == 0) {
            return out;
        }
        if (loop != null) {
            try {
                Kernels.unary(a, out, c, loop);
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        }
        if (op == UnOp.RINT && !r.isFloatingPoint()) {
            Copier.copy(a, out); // rounding an integer or bool keeps it
            return out;
        }
        MemorySegment sa = a.buffer().memory();
        MemorySegment so = out.buffer().memory();
        DType ta = a.dtype();
        boolean intMath = !r.isFloatingPoint();
        NdIter.forEachRow(a.shapeRef(), new long[][] {a.stridesRef(), out.stridesRef()},
                new long[] {a.byteOffset(), out.byteOffset()}, (offs, cnt, inner) -> {
                    long oa = offs[0], oo = offs[1];
                    for (long i = 0; i < cnt; i++, oa += inner[0], oo += inner[1]) {
                        if (intMath) {
                            long v = Elements.getLong(sa, oa, ta);
                            long res = switch (op) {
                                case ABS -> (ta.isUnsigned() || ta == DType.BOOL) ? v : Math.abs(v);
                                case NEG -> -v;
                                default -> throw new IllegalStateException();
                            };
                            Elements.setLong(so, oo, r, res);
                        } else {
                            Elements.setDouble(so, oo, r, applyUnary(op, Elements.getDouble(sa, oa, ta)));
                        }
                    }
                });
        return out;
    }

    static double applyUnary(UnOp op, double x) {
        return switch (op) {
            case ABS -> Math.abs(x);
            case NEG -> -x;
            case SQRT -> Math.sqrt(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case RINT -> Math.rint(x);
        };
    }

    // ------------------------------------------------------------------ where

    static NDArray where(NDArray cond, NDArray x, NDArray y) {
        return NDArray.pinned(new NDArray[] {cond, x, y}, () -> wherePinned(cond, x, y));
    }

    // where with its inputs held (a close on another thread waits for it)
    private static NDArray wherePinned(NDArray cond, NDArray x, NDArray y) {

        DType r = Promotion.promote(x.dtype(), y.dtype());
        long[] shape = Broadcast.shape(cond.shapeRef(), x.shapeRef(), y.shapeRef());
        NDArray out = Kernels.newOutput(r, shape, x, y, cond);
        if (out.size() == 0) {
            return out;
        }
        if (!r.isComplex() && !cond.dtype().isComplex()) {
            try {
                if (Kernels.where(Kernels.operand(cond, shape, DType.BOOL, 0), Kernels.operand(x, shape, r, 1),
                        Kernels.operand(y, shape, r, 2), out)) {
                    return out;
                }
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
        }
        NDArray cv = cond.borrowBroadcast(shape);
        NDArray xv = x.borrowBroadcast(shape);
        NDArray yv = y.borrowBroadcast(shape);
        MemorySegment sc = cond.buffer().memory();
        MemorySegment sx = x.buffer().memory();
        MemorySegment sy = y.buffer().memory();
        MemorySegment so = out.buffer().memory();
        DType tc = cond.dtype();
        DType tx = x.dtype();
        DType ty = y.dtype();
        NdIter.forEachRow(shape, new long[][] {cv.stridesRef(), xv.stridesRef(), yv.stridesRef(), out.stridesRef()},
                new long[] {cv.byteOffset(), xv.byteOffset(), yv.byteOffset(), out.byteOffset()}, (offs, cnt, in) -> {
                    long oc = offs[0], ox = offs[1], oy = offs[2], oo = offs[3];
                    for (long i = 0; i < cnt; i++, oc += in[0], ox += in[1], oy += in[2], oo += in[3]) {
                        if (Elements.getBoolean(sc, oc, tc)) {
                            Elements.convert(sx, ox, tx, so, oo, r);
                        } else {
                            Elements.convert(sy, oy, ty, so, oo, r);
                        }
                    }
                });
        return out;
    }
}
