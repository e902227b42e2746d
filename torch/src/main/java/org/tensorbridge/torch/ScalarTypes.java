package org.tensorbridge.torch;

import org.tensorbridge.core.DType;
import org.tensorbridge.torch.internal.Runtime;

/** The mapping between {@link DType} and the loaded libtorch's {@code c10::ScalarType} codes. */
final class ScalarTypes {
    private static final DType[] BY_CODE = new DType[64];
    private static final int[] CODES = new int[DType.values().length];

    static {
        for (DType type : DType.values()) {
            int code = Runtime.dtypeCode(c10Name(type));
            CODES[type.ordinal()] = code;
            if (code >= 0) {
                BY_CODE[code] = type;
            }
        }
    }

    private ScalarTypes() {
    }

    private static String c10Name(DType type) {
        return switch (type) {
            case BOOL -> "Bool";
            case UINT8 -> "Byte";
            case INT8 -> "Char";
            case INT16 -> "Short";
            case INT32 -> "Int";
            case INT64 -> "Long";
            case FLOAT16 -> "Half";
            case BFLOAT16 -> "BFloat16";
            case FLOAT32 -> "Float";
            case FLOAT64 -> "Double";
            case COMPLEX32 -> "ComplexHalf";
            case COMPLEX64 -> "ComplexFloat";
            case COMPLEX128 -> "ComplexDouble";
            case UINT16 -> "UInt16";
            case UINT32 -> "UInt32";
            case UINT64 -> "UInt64";
            case FLOAT8_E4M3FN -> "Float8_e4m3fn";
            case FLOAT8_E5M2 -> "Float8_e5m2";
        };
    }

    static boolean isSupported(DType type) {
        return CODES[type.ordinal()] >= 0;
    }

    /** The c10::ScalarType code; throws when the loaded libtorch lacks this dtype. */
    static int code(DType type) {
        int code = CODES[type.ordinal()];
        if (code < 0) {
            throw new TorchTypeException("dtype " + type.torchName() + " is not available in libtorch " + Torch.version()
                    + " (unsigned 16/32/64-bit dtypes need libtorch 2.3+, float8 2.1+); convert to a supported dtype"
                    + " first, e.g. .to(DType.INT64)");
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
