package org.tensorbridge.ndarray;

import static org.tensorbridge.ndarray.Elements.F32;
import static org.tensorbridge.ndarray.Elements.F64;

import java.lang.foreign.MemorySegment;
import org.tensorbridge.core.DType;

/**
 * Loops over complex64 / complex128 elements (real part, then imaginary part): arithmetic, equality, negation
 * and magnitude, with the operands' strides as every loop of {@link Loops} takes them. Both widths compute in
 * double (complex64 results are at least as accurate as NumPy's float arithmetic); division follows NumPy's
 * scaled algorithm (Smith's), so zeros, infinities and NaNs come out as NumPy's do.
 */
final class ComplexLoops {
    private ComplexLoops() {
    }

    private enum Op { ADD, SUB, MUL, DIV, EQ, NE }

    /** The loop of {@code op} (add, sub, mul, div, eq, ne) for complex dtype {@code t}, or null. */
    static Loops.Binary binary(String op, DType t) {
        if (t != DType.COMPLEX64 && t != DType.COMPLEX128) {
            return null;
        }
        Op o = switch (op) {
            case "add" -> Op.ADD;
            case "sub" -> Op.SUB;
            case "mul" -> Op.MUL;
            case "div" -> Op.DIV;
            case "eq" -> Op.EQ;
            case "ne" -> Op.NE;
            default -> null;
        };
        if (o == null) {
            return null;
        }
        boolean narrow = t == DType.COMPLEX64;
        return o == Op.EQ || o == Op.NE
                ? (x, ox, sx, y, oy, sy, z, oz, sz, n) -> equality(o == Op.EQ, narrow, x, ox, sx, y, oy, sy, z, oz, sz, n)
                : (x, ox, sx, y, oy, sy, z, oz, sz, n) -> arithmetic(o, narrow, x, ox, sx, y, oy, sy, z, oz, sz, n);
    }

    /** -x for complex dtype {@code t} (same dtype out). */
    static Loops.Unary negative(DType t) {
        boolean narrow = t == DType.COMPLEX64;
        long half = narrow ? 4 : 8;
        return (x, ox, sx, z, oz, sz, n) -> {
            for (long i = 0; i < n; i++) {
                long a = ox + i * sx, c = oz + i * sz;
                put(z, c, narrow, -part(x, a, narrow));
                put(z, c + half, narrow, -part(x, a + half, narrow));
            }
        };
    }

    /** |x| for complex dtype {@code t}, written as its real component dtype (float32 / float64), as np.abs. */
    static Loops.Unary magnitude(DType t) {
        boolean narrow = t == DType.COMPLEX64;
        long half = narrow ? 4 : 8;
        return (x, ox, sx, z, oz, sz, n) -> {
            for (long i = 0; i < n; i++) {
                long a = ox + i * sx;
                put(z, oz + i * sz, narrow, Math.hypot(part(x, a, narrow), part(x, a + half, narrow)));
            }
        };
    }

    private static double part(MemorySegment s, long off, boolean narrow) {
        return narrow ? s.get(F32, off) : s.get(F64, off);
    }

    private static void put(MemorySegment s, long off, boolean narrow, double v) {
        if (narrow) {
            s.set(F32, off, (float) v);
        } else {
            s.set(F64, off, v);
        }
    }

    private static void arithmetic(Op op, boolean narrow, MemorySegment x, long ox, long sx, MemorySegment y, long oy,
            long sy, MemorySegment z, long oz, long sz, long n) {
        long half = narrow ? 4 : 8;
        for (long i = 0; i < n; i++) {
            long a = ox + i * sx, b = oy + i * sy, c = oz + i * sz;
            double ar = part(x, a, narrow), ai = part(x, a + half, narrow);
            double br = part(y, b, narrow), bi = part(y, b + half, narrow);
            double re, im;
            switch (op) {
                case ADD -> {
                    re = ar + br;
                    im = ai + bi;
                }
                case SUB -> {
                    re = ar - br;
                    im = ai - bi;
                }
                case MUL -> {
                    re = ar * br - ai * bi;
                    im = ar * bi + ai * br;
                }
                default -> {
                    double abr = Math.abs(br), abi = Math.abs(bi);
                    if (abr >= abi) {
                        if (abr == 0 && abi == 0) {  // a complex infinity or NaN, as NumPy gives
                            re = ar / abr;
                            im = ai / abr;
                        } else {
                            double rat = bi / br, scl = 1.0 / (br + bi * rat);
                            re = (ar + ai * rat) * scl;
                            im = (ai - ar * rat) * scl;
                        }
                    } else {
                        double rat = br / bi, scl = 1.0 / (bi + br * rat);
                        re = (ar * rat + ai) * scl;
                        im = (ai * rat - ar) * scl;
                    }
                }
            }
            put(z, c, narrow, re);
            put(z, c + half, narrow, im);
        }
    }

    private static void equality(boolean eq, boolean narrow, MemorySegment x, long ox, long sx, MemorySegment y, long oy,
            long sy, MemorySegment z, long oz, long sz, long n) {
        long half = narrow ? 4 : 8;
        for (long i = 0; i < n; i++) {
            long a = ox + i * sx, b = oy + i * sy;
            boolean same = part(x, a, narrow) == part(y, b, narrow) && part(x, a + half, narrow) == part(y, b + half, narrow);
            z.set(Elements.I8, oz + i * sz, (byte) (same == eq ? 1 : 0));
        }
    }
}
