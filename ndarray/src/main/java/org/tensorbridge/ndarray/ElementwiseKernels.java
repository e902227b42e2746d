package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.tensorbridge.ndarray.Elements.F32;
import static org.tensorbridge.ndarray.Elements.F64;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Elementwise arithmetic, comparisons, unary math and where, with NumPy broadcasting and NumPy 2 type
 * promotion. C-contiguous float32/float64 operands of equal shape (or with a scalar) take simple indexed
 * loops that C2 vectorises, split across the common ForkJoin pool above ~4M elements; everything else
 * goes through a strided n-d iterator.
 */
final class ElementwiseKernels {
    private ElementwiseKernels() {
    }

    enum BinOp { ADD, SUB, MUL, DIV, POW, MIN, MAX }

    enum CmpOp { EQ, NE, LT, LE, GT, GE }

    enum UnOp { ABS, NEG, SQRT, EXP, LOG }

    private static void requireReal(DType t, String what) {
        if (t.isComplex()) {
            throw new IllegalArgumentException(what + " is not supported for complex arrays (" + t.numpyName() + ")");
        }
    }

    static DType binaryResultType(DType a, DType b, BinOp op) {
        DType r = Promotion.promote(a, b);
        requireReal(r, op.name().toLowerCase());
        return resultFor(r, op);
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
        a.checkOpen();
        b.checkOpen();

        return binary(a, b, op, binaryResultType(a.dtype(), b.dtype(), op));
    }

    /** a op scalar (or scalar op a when reversed), scalar a weak Python float. */
    static NDArray binaryScalar(NDArray a, double s, BinOp op, boolean reversed) {
        a.checkOpen();

        requireReal(a.dtype(), op.name().toLowerCase());
        DType t = Promotion.withPythonFloat(a.dtype());
        DType r = resultFor(t, op);
        if ((t == DType.FLOAT32 || t == DType.FLOAT64) && a.dtype() == t && r == t && a.isCContiguous() && a.size() > 0) {
            // The common case needs no 0-d array for the scalar: the weak scalar takes the array's dtype.
            NDArray out = NDArray.empty(r, a.shape());
            try {
                contiguousScalar(a, t == DType.FLOAT32 ? (float) s : s, out, op, reversed);
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            return out;
        }
        try (NDArray sc = NDArray.scalar(t, s)) {
            return reversed ? binary(sc, a, op, r) : binary(a, sc, op, r);
        }
    }

    /** a op scalar, scalar a weak Python int. */
    static NDArray binaryScalar(NDArray a, long s, BinOp op, boolean reversed) {
        a.checkOpen();

        requireReal(a.dtype(), op.name().toLowerCase());
        DType t = Promotion.withPythonInt(a.dtype(), s);
        DType r = resultFor(t, op);
        try (NDArray sc = NDArray.zeros(t)) {
            sc.setLong(s);
            return reversed ? binary(sc, a, op, r) : binary(a, sc, op, r);
        }
    }

    static NDArray binary(NDArray a, NDArray b, BinOp op, DType r) {
        long[] shape = Broadcast.shape(a.shapeRef(), b.shapeRef());
        NDArray out = NDArray.empty(r, shape);
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
        if ((r == DType.FLOAT32 || r == DType.FLOAT64) && a.dtype() == r && b.dtype() == r && a.isCContiguous()) {
            boolean aFull = Arrays.equals(a.shapeRef(), shape);
            if (aFull && b.isCContiguous() && Arrays.equals(b.shapeRef(), shape)) {
                contiguous(a, b, out, op, false);
                return;
            }
            if (aFull && b.size() == 1) {
                contiguousScalar(a, b.getDoubleFlat(), out, op, false);
                return;
            }
        }
        if ((r == DType.FLOAT32 || r == DType.FLOAT64) && a.dtype() == r && b.dtype() == r && b.isCContiguous()
                && Arrays.equals(b.shapeRef(), shape) && a.size() == 1) {
            contiguousScalar(b, a.getDoubleFlat(), out, op, true);
            return;
        }
        NDArray av = a.borrowBroadcast(shape);
        NDArray bv = b.borrowBroadcast(shape);
        MemorySegment sa = a.buffer().segment();
        MemorySegment sb = b.buffer().segment();
        MemorySegment so = out.buffer().segment();
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
            case POW -> ipow(x, y, unsigned);
            case MIN -> (unsigned ? Long.compareUnsigned(x, y) : Long.compare(x, y)) <= 0 ? x : y;
            case MAX -> (unsigned ? Long.compareUnsigned(x, y) : Long.compare(x, y)) >= 0 ? x : y;
        };
    }

    private static long ipow(long base, long exp, boolean unsigned) {
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

    private static void contiguous(NDArray a, NDArray b, NDArray out, BinOp op, boolean unused) {
        long n = out.size();
        DType t = out.dtype();
        MemorySegment x = a.buffer().segment().asSlice(a.byteOffset(), a.nbytes());
        MemorySegment y = b.buffer().segment().asSlice(b.byteOffset(), b.nbytes());
        MemorySegment z = out.buffer().segment().asSlice(out.byteOffset(), out.nbytes());
        if (t == DType.FLOAT32) {
            Copier.chunked(n, (from, to) -> f32Loop(op, x, y, z, from, to));
        } else {
            Copier.chunked(n, (from, to) -> f64Loop(op, x, y, z, from, to));
        }
    }

    private static void f32Loop(BinOp op, MemorySegment x, MemorySegment y, MemorySegment z, long from, long to) {
        switch (op) {
            case ADD -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F32, i, x.getAtIndex(F32, i) + y.getAtIndex(F32, i));
                }
            }
            case SUB -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F32, i, x.getAtIndex(F32, i) - y.getAtIndex(F32, i));
                }
            }
            case MUL -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F32, i, x.getAtIndex(F32, i) * y.getAtIndex(F32, i));
                }
            }
            case DIV -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F32, i, x.getAtIndex(F32, i) / y.getAtIndex(F32, i));
                }
            }
            case MIN -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F32, i, Math.min(x.getAtIndex(F32, i), y.getAtIndex(F32, i)));
                }
            }
            case MAX -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F32, i, Math.max(x.getAtIndex(F32, i), y.getAtIndex(F32, i)));
                }
            }
            case POW -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F32, i, (float) Math.pow(x.getAtIndex(F32, i), y.getAtIndex(F32, i)));
                }
            }
        }
    }

    private static void f64Loop(BinOp op, MemorySegment x, MemorySegment y, MemorySegment z, long from, long to) {
        switch (op) {
            case ADD -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F64, i, x.getAtIndex(F64, i) + y.getAtIndex(F64, i));
                }
            }
            case SUB -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F64, i, x.getAtIndex(F64, i) - y.getAtIndex(F64, i));
                }
            }
            case MUL -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F64, i, x.getAtIndex(F64, i) * y.getAtIndex(F64, i));
                }
            }
            case DIV -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F64, i, x.getAtIndex(F64, i) / y.getAtIndex(F64, i));
                }
            }
            default -> {
                for (long i = from; i < to; i++) {
                    z.setAtIndex(F64, i, applyDouble(op, x.getAtIndex(F64, i), y.getAtIndex(F64, i)));
                }
            }
        }
    }

    private static void contiguousScalar(NDArray a, double s, NDArray out, BinOp op, boolean reversed) {
        long n = out.size();
        DType t = out.dtype();
        MemorySegment x = a.buffer().segment().asSlice(a.byteOffset(), a.nbytes());
        MemorySegment z = out.buffer().segment().asSlice(out.byteOffset(), out.nbytes());
        if (t == DType.FLOAT32) {
            float c = (float) s;
            Copier.chunked(n, (from, to) -> {
                if (!reversed && op == BinOp.ADD) {
                    for (long i = from; i < to; i++) {
                        z.setAtIndex(F32, i, x.getAtIndex(F32, i) + c);
                    }
                } else if (!reversed && op == BinOp.MUL) {
                    for (long i = from; i < to; i++) {
                        z.setAtIndex(F32, i, x.getAtIndex(F32, i) * c);
                    }
                } else if (!reversed && op == BinOp.SUB) {
                    for (long i = from; i < to; i++) {
                        z.setAtIndex(F32, i, x.getAtIndex(F32, i) - c);
                    }
                } else if (!reversed && op == BinOp.DIV) {
                    for (long i = from; i < to; i++) {
                        z.setAtIndex(F32, i, x.getAtIndex(F32, i) / c);
                    }
                } else {
                    for (long i = from; i < to; i++) {
                        float v = x.getAtIndex(F32, i);
                        z.setAtIndex(F32, i, (float) (reversed ? applyDouble(op, c, v) : applyDouble(op, v, c)));
                    }
                }
            });
        } else {
            Copier.chunked(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    double v = x.getAtIndex(F64, i);
                    z.setAtIndex(F64, i, reversed ? applyDouble(op, s, v) : applyDouble(op, v, s));
                }
            });
        }
    }

    // ------------------------------------------------------------------ comparisons

    static NDArray compare(NDArray a, NDArray b, CmpOp op) {
        a.checkOpen();
        b.checkOpen();

        requireReal(Promotion.promote(a.dtype(), b.dtype()), "comparison");
        long[] shape = Broadcast.shape(a.shapeRef(), b.shapeRef());
        NDArray out = NDArray.empty(DType.BOOL, shape);
        if (out.size() == 0) {
            return out;
        }
        NDArray av = a.borrowBroadcast(shape);
        NDArray bv = b.borrowBroadcast(shape);
        MemorySegment sa = a.buffer().segment();
        MemorySegment sb = b.buffer().segment();
        MemorySegment so = out.buffer().segment();
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
        a.checkOpen();

        DType t = Promotion.withPythonFloat(a.dtype());
        try (NDArray sc = NDArray.scalar(t, s)) {
            return compare(a, sc, op);
        }
    }

    static NDArray compareScalar(NDArray a, long s, CmpOp op) {
        a.checkOpen();

        DType t = a.dtype();
        DType st = (t.isInteger() && Promotion.fits(t, s)) ? t : (t.isFloatingPoint() || t.isComplex() ? t : DType.INT64);
        try (NDArray sc = NDArray.zeros(st)) {
            sc.setLong(s);
            return compare(a, sc, op);
        }
    }

    // ------------------------------------------------------------------ unary

    static DType unaryResultType(DType t, UnOp op) {
        requireReal(t, op.name().toLowerCase());
        return switch (op) {
            case ABS -> t;
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
        a.checkOpen();

        DType r = unaryResultType(a.dtype(), op);
        NDArray out = NDArray.empty(r, a.shapeRef());
        long n = out.size();
        if (n == 0) {
            return out;
        }
        if (a.isCContiguous() && a.dtype() == r && (r == DType.FLOAT32 || r == DType.FLOAT64)) {
            MemorySegment x = a.buffer().segment().asSlice(a.byteOffset(), a.nbytes());
            MemorySegment z = out.buffer().segment().asSlice(0, out.nbytes());
            if (r == DType.FLOAT32) {
                Copier.chunked(n, (from, to) -> {
                    switch (op) {
                        case ABS -> {
                            for (long i = from; i < to; i++) {
                                z.setAtIndex(F32, i, Math.abs(x.getAtIndex(F32, i)));
                            }
                        }
                        case NEG -> {
                            for (long i = from; i < to; i++) {
                                z.setAtIndex(F32, i, -x.getAtIndex(F32, i));
                            }
                        }
                        case SQRT -> {
                            for (long i = from; i < to; i++) {
                                z.setAtIndex(F32, i, (float) Math.sqrt(x.getAtIndex(F32, i)));
                            }
                        }
                        default -> {
                            for (long i = from; i < to; i++) {
                                z.setAtIndex(F32, i, (float) applyUnary(op, x.getAtIndex(F32, i)));
                            }
                        }
                    }
                });
            } else {
                Copier.chunked(n, (from, to) -> {
                    for (long i = from; i < to; i++) {
                        z.setAtIndex(F64, i, applyUnary(op, x.getAtIndex(F64, i)));
                    }
                });
            }
            return out;
        }
        MemorySegment sa = a.buffer().segment();
        MemorySegment so = out.buffer().segment();
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
        };
    }

    // ------------------------------------------------------------------ where

    static NDArray where(NDArray cond, NDArray x, NDArray y) {
        cond.checkOpen();
        x.checkOpen();
        y.checkOpen();

        DType r = Promotion.promote(x.dtype(), y.dtype());
        long[] shape = Broadcast.shape(cond.shapeRef(), x.shapeRef(), y.shapeRef());
        NDArray out = NDArray.empty(r, shape);
        if (out.size() == 0) {
            return out;
        }
        NDArray cv = cond.borrowBroadcast(shape);
        NDArray xv = x.borrowBroadcast(shape);
        NDArray yv = y.borrowBroadcast(shape);
        MemorySegment sc = cond.buffer().segment();
        MemorySegment sx = x.buffer().segment();
        MemorySegment sy = y.buffer().segment();
        MemorySegment so = out.buffer().segment();
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
