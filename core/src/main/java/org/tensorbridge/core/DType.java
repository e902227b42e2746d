package org.tensorbridge.core;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Element types: one vocabulary for arrays, tensors and files. Every dtype has PyTorch's name
 * ({@link #torchName()}); those NumPy has also have NumPy's ({@link #numpyName()}, {@link #isArrayType()}).
 * {@link #BFLOAT16} is not a NumPy dtype, but NDArray stores it under the name ml_dtypes, PyTorch and
 * safetensors use. Complex32 and the float8 types are tensor-only. Multi-byte types are little-endian.
 *
 * <p>Whether the loaded libtorch has a dtype (unsigned 16/32/64-bit need 2.3+, float8 2.1+) is asked of
 * {@code Torch.supports(dtype)}.
 */
public enum DType {
    BOOL(1, "bool"),
    INT8(1, "int8"),
    INT16(2, "int16"),
    INT32(4, "int32"),
    INT64(8, "int64"),
    UINT8(1, "uint8"),
    UINT16(2, "uint16"),
    UINT32(4, "uint32"),
    UINT64(8, "uint64"),
    FLOAT16(2, "float16"),
    BFLOAT16(2, "bfloat16"),
    FLOAT32(4, "float32"),
    FLOAT64(8, "float64"),
    COMPLEX64(8, "complex64"),
    COMPLEX128(16, "complex128"),
    /** Tensor-only: NumPy has no complex32. */
    COMPLEX32(4, null),
    /** Tensor-only (NumPy needs ml_dtypes for it). */
    FLOAT8_E4M3FN(1, null),
    /** Tensor-only (NumPy needs ml_dtypes for it). */
    FLOAT8_E5M2(1, null);

    private static final List<DType> ARRAY_TYPES = Arrays.stream(values()).filter(DType::isArrayType).toList();

    private final int byteSize;
    private final String numpyName;

    DType(int byteSize, String numpyName) {
        this.byteSize = byteSize;
        this.numpyName = numpyName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether NDArray (and NumPy's files) can hold this dtype: all but complex32 and the float8 types. */
    public boolean isArrayType() {
        return numpyName != null;
    }

    /** The dtypes NDArray holds, in declaration order. */
    public static List<DType> arrayTypes() {
        return ARRAY_TYPES;
    }

    /**
     * The NumPy dtype name ({@code "float32"}, ...; {@code "bfloat16"} for {@link #BFLOAT16}); for the
     * tensor-only dtypes, PyTorch's name.
     */
    public String numpyName() {
        return numpyName != null ? numpyName : torchName();
    }

    /** The name PyTorch prints, e.g. {@code torch.float32}'s "float32". */
    public String torchName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Floating point, complex excluded: FLOAT16, BFLOAT16, FLOAT32, FLOAT64 and the float8 types. */
    public boolean isFloatingPoint() {
        return switch (this) {
            case FLOAT16, BFLOAT16, FLOAT32, FLOAT64, FLOAT8_E4M3FN, FLOAT8_E5M2 -> true;
            default -> false;
        };
    }

    public boolean isComplex() {
        return this == COMPLEX32 || this == COMPLEX64 || this == COMPLEX128;
    }

    /** True for signed and unsigned integers; false for BOOL. */
    public boolean isInteger() {
        return switch (this) {
            case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32, UINT64 -> true;
            default -> false;
        };
    }

    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** The inverse of {@link #numpyName()} for the array dtypes. */
    public static DType fromNumpyName(String name) {
        for (DType t : ARRAY_TYPES) {
            if (t.numpyName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype name '" + name + "'; valid names: "
                + ARRAY_TYPES.stream().map(DType::numpyName).collect(Collectors.joining(", ")));
    }

    /** The inverse of {@link #torchName()}. */
    public static DType fromTorchName(String name) {
        for (DType t : values()) {
            if (t.torchName().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype name '" + name + "'; valid names: "
                + Arrays.stream(values()).map(DType::torchName).collect(Collectors.joining(", ")));
    }
}
