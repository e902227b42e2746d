package org.tensorbridge.torch;

import org.tensorbridge.torch.internal.Runtime;

/**
 * Every libtorch dtype. Some exist only in newer libtorch (unsigned 16/32/64-bit from 2.3, float8 from
 * 2.1): {@link #isSupported()} says whether the loaded libtorch has this one.
 */
public enum DType {
    BOOL("Bool", 1), UINT8("Byte", 1), INT8("Char", 1), INT16("Short", 2), INT32("Int", 4), INT64("Long", 8),
    FLOAT16("Half", 2), BFLOAT16("BFloat16", 2), FLOAT32("Float", 4), FLOAT64("Double", 8),
    COMPLEX32("ComplexHalf", 4), COMPLEX64("ComplexFloat", 8), COMPLEX128("ComplexDouble", 16),
    UINT16("UInt16", 2), UINT32("UInt32", 4), UINT64("UInt64", 8),
    FLOAT8_E4M3FN("Float8_e4m3fn", 1), FLOAT8_E5M2("Float8_e5m2", 1);

    private static final DType[] BY_CODE = new DType[64];

    static {
        for (DType type : values()) {
            type.code = Runtime.dtypeCode(type.c10Name);
            if (type.code >= 0) {
                BY_CODE[type.code] = type;
            }
        }
    }

    private final String c10Name;
    private final int byteSize;
    private int code;

    DType(String c10Name, int byteSize) {
        this.c10Name = c10Name;
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** Whether the loaded libtorch has this dtype. */
    public boolean isSupported() {
        return code >= 0;
    }

    public boolean isFloatingPoint() {
        return switch (this) {
            case FLOAT16, BFLOAT16, FLOAT32, FLOAT64, FLOAT8_E4M3FN, FLOAT8_E5M2 -> true;
            default -> false;
        };
    }

    public boolean isComplex() {
        return this == COMPLEX32 || this == COMPLEX64 || this == COMPLEX128;
    }

    /** The name PyTorch prints, e.g. {@code torch.float32}'s "float32". */
    public String torchName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The c10::ScalarType code; throws when the loaded libtorch lacks this dtype. */
    public int code() {
        if (code < 0) {
            throw new TorchTypeException("dtype " + torchName() + " is not available in libtorch " + Torch.version()
                    + " (unsigned 16/32/64-bit dtypes need libtorch 2.3+); convert to a supported dtype first");
        }
        return code;
    }

    static DType fromCode(int code) {
        DType type = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (type == null) {
            throw new TorchTypeException("libtorch returned a tensor of dtype code " + code
                    + " (a quantized or bit dtype) that tensorbridge does not map");
        }
        return type;
    }
}
