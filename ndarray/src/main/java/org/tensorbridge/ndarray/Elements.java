package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian element layouts and per-element reads/writes with NumPy's (x86) unsafe-cast semantics.
 *
 * <p>Conversions to integers from floating point truncate toward zero, as C does. Values that do not fit
 * (and NaN) give what NumPy gives on x86-64: the conversion goes through a 64-bit (int64, uint32,
 * uint64) or 32-bit (int8, int16, int32, uint8, uint16) hardware conversion that yields the "integer
 * indefinite" value (minimum value) on overflow/NaN, and the result is truncated to the target width.
 * So NaN becomes {@code Long.MIN_VALUE} as int64, {@code Integer.MIN_VALUE} as int32, and 0 as int8.
 * Complex values read as their real part; real values written to complex set the imaginary part to 0.
 */
final class Elements {
    private Elements() {
    }

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(LE);

    private static final double TWO63 = 0x1p63;
    private static final double TWO64 = 0x1p64;
    private static final double TWO31 = 0x1p31;

    // ---------------------------------------------------------------- scalar conversions

    /** x86 cvttsd2si (64-bit): NaN/out of range -> Long.MIN_VALUE. */
    static long f2i64(double d) {
        if (d >= TWO63 || d < -TWO63 || d != d) {
            return Long.MIN_VALUE;
        }
        return (long) d;
    }

    /** x86 cvttsd2si (32-bit): NaN/out of range -> Integer.MIN_VALUE. */
    static int f2i32(double d) {
        if (d >= TWO31 || d < -TWO31 || d != d) {
            return Integer.MIN_VALUE;
        }
        return (int) d;
    }

    static long f2u64(double d) {
        if (d >= TWO63 && d < TWO64) {
            return ((long) (d - TWO63)) ^ Long.MIN_VALUE;
        }
        return f2i64(d);
    }

    static double u64ToDouble(long v) {
        if (v >= 0) {
            return v;
        }
        // round-to-nearest-even of the unsigned value: keep the sticky bit.
        return ((double) ((v >>> 1) | (v & 1))) * 2.0;
    }

    static float half(short bits) {
        return Float.float16ToFloat(bits);
    }

    static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** float -> bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /**
     * double -> float rounded to odd, so that a later RNE to a format with at most 22 significand bits
     * (float16, bfloat16) is correctly rounded (no double-rounding error).
     */
    static float toFloatRoundOdd(double d) {
        float f = (float) d;
        if (Float.isFinite(f) && f != d && d == d) {
            if (Math.abs((double) f) > Math.abs(d)) {
                f = Math.nextAfter(f, 0.0);
            }
            f = Float.intBitsToFloat(Float.floatToRawIntBits(f) | 1);
        }
        return f;
    }

    static short toHalf(double d) {
        return Float.floatToFloat16(toFloatRoundOdd(d));
    }

    static short toBf16(double d) {
        return toBf16(toFloatRoundOdd(d));
    }

    // ---------------------------------------------------------------- element reads

    static double getDouble(MemorySegment s, long off, DType t) {
        return switch (t) {
            case BOOL -> s.get(I8, off) != 0 ? 1.0 : 0.0;
            case INT8 -> s.get(I8, off);
            case UINT8 -> s.get(I8, off) & 0xFF;
            case INT16 -> s.get(I16, off);
            case UINT16 -> s.get(I16, off) & 0xFFFF;
            case INT32 -> s.get(I32, off);
            case UINT32 -> s.get(I32, off) & 0xFFFFFFFFL;
            case INT64 -> (double) s.get(I64, off);
            case UINT64 -> u64ToDouble(s.get(I64, off));
            case FLOAT16 -> half(s.get(I16, off));
            case BFLOAT16 -> bf16(s.get(I16, off));
            case FLOAT32, COMPLEX64 -> s.get(F32, off);
            case FLOAT64, COMPLEX128 -> s.get(F64, off);
            case COMPLEX32, FLOAT8_E4M3FN, FLOAT8_E5M2 -> throw Shapes.notArrayType(t);
        };
    }

    /** Imaginary part (0 for real types). */
    static double getImag(MemorySegment s, long off, DType t) {
        return switch (t) {
            case COMPLEX64 -> s.get(F32, off + 4);
            case COMPLEX128 -> s.get(F64, off + 8);
            default -> 0.0;
        };
    }

    /** Integer value: integers sign/zero-extended (uint64 as raw bits), floats cast as by {@link #f2i64}. */
    static long getLong(MemorySegment s, long off, DType t) {
        return switch (t) {
            case BOOL -> s.get(I8, off) != 0 ? 1 : 0;
            case INT8 -> s.get(I8, off);
            case UINT8 -> s.get(I8, off) & 0xFF;
            case INT16 -> s.get(I16, off);
            case UINT16 -> s.get(I16, off) & 0xFFFF;
            case INT32 -> s.get(I32, off);
            case UINT32 -> s.get(I32, off) & 0xFFFFFFFFL;
            case INT64, UINT64 -> s.get(I64, off);
            default -> f2i64(getDouble(s, off, t));
        };
    }

    static boolean getBoolean(MemorySegment s, long off, DType t) {
        return switch (t) {
            case BOOL, INT8, UINT8 -> s.get(I8, off) != 0;
            case INT16, UINT16 -> s.get(I16, off) != 0;
            case INT32, UINT32 -> s.get(I32, off) != 0;
            case INT64, UINT64 -> s.get(I64, off) != 0;
            case COMPLEX64, COMPLEX128 -> getDouble(s, off, t) != 0 || getImag(s, off, t) != 0;
            default -> getDouble(s, off, t) != 0;
        };
    }

    // ---------------------------------------------------------------- element writes

    static void setDouble(MemorySegment s, long off, DType t, double v) {
        switch (t) {
            case BOOL -> s.set(I8, off, (byte) (v != 0 ? 1 : 0));
            case INT8, UINT8 -> s.set(I8, off, (byte) f2i32(v));
            case INT16, UINT16 -> s.set(I16, off, (short) f2i32(v));
            case INT32 -> s.set(I32, off, f2i32(v));
            case UINT32 -> s.set(I32, off, (int) f2i64(v));
            case INT64 -> s.set(I64, off, f2i64(v));
            case UINT64 -> s.set(I64, off, f2u64(v));
            case FLOAT16 -> s.set(I16, off, toHalf(v));
            case BFLOAT16 -> s.set(I16, off, toBf16(v));
            case FLOAT32 -> s.set(F32, off, (float) v);
            case FLOAT64 -> s.set(F64, off, v);
            case COMPLEX64 -> {
                s.set(F32, off, (float) v);
                s.set(F32, off + 4, 0f);
            }
            case COMPLEX128 -> {
                s.set(F64, off, v);
                s.set(F64, off + 8, 0.0);
            }
        }
    }

    static void setComplex(MemorySegment s, long off, DType t, double re, double im) {
        switch (t) {
            case COMPLEX64 -> {
                s.set(F32, off, (float) re);
                s.set(F32, off + 4, (float) im);
            }
            case COMPLEX128 -> {
                s.set(F64, off, re);
                s.set(F64, off + 8, im);
            }
            default -> setDouble(s, off, t, re); // NumPy discards the imaginary part
        }
    }

    /** Integer write: integer types wrap (keep the low bits), floats get the (rounded) value. */
    static void setLong(MemorySegment s, long off, DType t, long v) {
        switch (t) {
            case BOOL -> s.set(I8, off, (byte) (v != 0 ? 1 : 0));
            case INT8, UINT8 -> s.set(I8, off, (byte) v);
            case INT16, UINT16 -> s.set(I16, off, (short) v);
            case INT32, UINT32 -> s.set(I32, off, (int) v);
            case INT64, UINT64 -> s.set(I64, off, v);
            default -> setDouble(s, off, t, (double) v);
        }
    }

    /** Unsigned-aware conversion of an integer value of type {@code from} to double. */
    static double longToDouble(long v, DType from) {
        return from == DType.UINT64 ? u64ToDouble(v) : (double) v;
    }

    /** Copies one element converting from {@code ft} to {@code tt} with NumPy cast semantics. */
    static void convert(MemorySegment src, long so, DType ft, MemorySegment dst, long dof, DType tt) {
        if (ft == tt) {
            MemorySegment.copy(src, so, dst, dof, ft.byteSize());
            return;
        }
        if (ft.isComplex()) {
            setComplex(dst, dof, tt, getDouble(src, so, ft), getImag(src, so, ft));
        } else if ((ft.isInteger() || ft == DType.BOOL) && (tt.isInteger() || tt == DType.BOOL)) {
            setLong(dst, dof, tt, getLong(src, so, ft));
        } else if (ft.isInteger() && ft != DType.UINT64 && tt == DType.FLOAT32) {
            dst.set(F32, dof, (float) getLong(src, so, ft)); // single rounding, as C does
        } else if (ft == DType.FLOAT32 && tt == DType.FLOAT16) {
            dst.set(I16, dof, Float.floatToFloat16(src.get(F32, so)));
        } else if (ft == DType.FLOAT32 && tt == DType.BFLOAT16) {
            dst.set(I16, dof, toBf16(src.get(F32, so)));
        } else {
            setDouble(dst, dof, tt, getDouble(src, so, ft));
        }
    }
}
