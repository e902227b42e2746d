package org.tensorbridge.ndarray;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types, named as NumPy names them. {@link #BFLOAT16} is not a NumPy dtype; "bfloat16" is the
 * name used for it (as in ml_dtypes / PyTorch / safetensors). All multi-byte types are stored
 * little-endian.
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
    COMPLEX128(16, "complex128");

    private final int byteSize;
    private final String numpyName;

    DType(int byteSize, String numpyName) {
        this.byteSize = byteSize;
        this.numpyName = numpyName;
    }

    /** Bytes per element: 1,1,2,4,8,1,2,4,8,2,2,4,8,8,16 in declaration order. */
    public int byteSize() {
        return byteSize;
    }

    /** The NumPy dtype name ({@code "float32"}, ...; {@code "bfloat16"} for {@link #BFLOAT16}). */
    public String numpyName() {
        return numpyName;
    }

    /** True for FLOAT16, BFLOAT16, FLOAT32, FLOAT64 (not complex). */
    public boolean isFloatingPoint() {
        return this == FLOAT16 || this == BFLOAT16 || this == FLOAT32 || this == FLOAT64;
    }

    public boolean isComplex() {
        return this == COMPLEX64 || this == COMPLEX128;
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

    /** The inverse of {@link #numpyName()}. */
    public static DType fromNumpyName(String name) {
        for (DType t : values()) {
            if (t.numpyName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype name '" + name + "'; valid names: "
                + Arrays.stream(values()).map(DType::numpyName).collect(Collectors.joining(", ")));
    }
}
