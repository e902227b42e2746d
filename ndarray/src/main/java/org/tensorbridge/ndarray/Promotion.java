package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.tensorbridge.core.DType.*;

/**
 * NumPy 2 type promotion (NEP 50): {@link #promote} is {@code np.result_type} / {@code np.promote_types}
 * for arrays; Java scalars passed to ops behave as Python scalars, which are "weak": a {@code double}
 * scalar is a Python float (it only lifts bool/integer arrays to float64) and a {@code long} scalar is a
 * Python int (it takes the array's dtype and must fit in it; bool becomes int64). There is no value-based
 * casting (NumPy 1 legacy).
 *
 * <p>bfloat16 is not a NumPy type; it is promoted like float16 is (with int8/uint8/bool it stays bfloat16,
 * with float16 it gives float32, with wider types the wider float).
 */
public final class Promotion {
    private Promotion() {
    }

    private static DType signedOfSize(int size) {
        return switch (size) {
            case 1 -> INT8;
            case 2 -> INT16;
            case 4 -> INT32;
            default -> INT64;
        };
    }

    private static DType realOf(DType c) {
        return c == COMPLEX64 ? FLOAT32 : c == COMPLEX128 ? FLOAT64 : c;
    }

    /** The smallest float type that holds every value of the integer/bool type {@code t} (NumPy's rule). */
    static DType floatFor(DType t) {
        if (t.isFloatingPoint() || t.isComplex()) {
            return t;
        }
        return switch (t) {
            case BOOL, INT8, UINT8 -> FLOAT16;
            case INT16, UINT16 -> FLOAT32;
            default -> FLOAT64;
        };
    }

    /** {@code np.promote_types(a, b)} (NumPy 2). */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if (a == BOOL) {
            return b;
        }
        if (b == BOOL) {
            return a;
        }
        if (a.isComplex() || b.isComplex()) {
            DType r = promote(realOf(a), realOf(b));
            return r == FLOAT64 ? COMPLEX128 : COMPLEX64;
        }
        if (a.isFloatingPoint() && b.isFloatingPoint()) {
            if ((a == FLOAT16 && b == BFLOAT16) || (a == BFLOAT16 && b == FLOAT16)) {
                return FLOAT32;
            }
            return a.byteSize() >= b.byteSize() ? a : b;
        }
        if (a.isFloatingPoint() || b.isFloatingPoint()) {
            DType f = a.isFloatingPoint() ? a : b;
            DType i = a.isFloatingPoint() ? b : a;
            if (f == BFLOAT16 && i.byteSize() == 1) {
                return BFLOAT16;
            }
            return promote(f, floatFor(i));
        }
        // both integers
        if (a.isUnsigned() == b.isUnsigned()) {
            return a.byteSize() >= b.byteSize() ? a : b;
        }
        DType s = a.isUnsigned() ? b : a;
        DType u = a.isUnsigned() ? a : b;
        if (s.byteSize() > u.byteSize()) {
            return s;
        }
        if (u.byteSize() < 8) {
            return signedOfSize(u.byteSize() * 2);
        }
        return FLOAT64;
    }

    /** {@code np.result_type(*types)}. */
    public static DType resultType(DType... types) {
        if (types.length == 0) {
            throw new IllegalArgumentException("at least one dtype is needed");
        }
        DType r = types[0];
        for (int i = 1; i < types.length; i++) {
            r = promote(r, types[i]);
        }
        return r;
    }

    /** Result type of an array of {@code t} with a (weak) Python float scalar. */
    public static DType withPythonFloat(DType t) {
        return (t == BOOL || t.isInteger()) ? FLOAT64 : t;
    }

    /** Result type of an array of {@code t} with a (weak) Python int scalar {@code value}; checks it fits. */
    public static DType withPythonInt(DType t, long value) {
        if (t == BOOL) {
            return INT64;
        }
        if (t.isInteger() && !fits(t, value)) {
            throw new IllegalArgumentException("Python integer " + value + " out of bounds for " + t.numpyName()
                    + " (NumPy 2 rules: the scalar takes the array's dtype); convert the array with astype first");
        }
        return t;
    }

    static boolean fits(DType t, long v) {
        return switch (t) {
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            case UINT8 -> v >= 0 && v <= 0xFF;
            case UINT16 -> v >= 0 && v <= 0xFFFF;
            case UINT32 -> v >= 0 && v <= 0xFFFFFFFFL;
            case UINT64 -> v >= 0;
            default -> true;
        };
    }
}
