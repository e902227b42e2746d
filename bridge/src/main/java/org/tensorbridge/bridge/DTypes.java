package org.tensorbridge.bridge;

/** The one mapping between NDArray dtypes and libtorch dtypes. */
final class DTypes {
    private DTypes() {
    }

    static org.tensorbridge.torch.DType toTorch(org.tensorbridge.ndarray.DType dtype) {
        return switch (dtype) {
            case BOOL -> org.tensorbridge.torch.DType.BOOL;
            case INT8 -> org.tensorbridge.torch.DType.INT8;
            case INT16 -> org.tensorbridge.torch.DType.INT16;
            case INT32 -> org.tensorbridge.torch.DType.INT32;
            case INT64 -> org.tensorbridge.torch.DType.INT64;
            case UINT8 -> org.tensorbridge.torch.DType.UINT8;
            case UINT16 -> org.tensorbridge.torch.DType.UINT16;
            case UINT32 -> org.tensorbridge.torch.DType.UINT32;
            case UINT64 -> org.tensorbridge.torch.DType.UINT64;
            case FLOAT16 -> org.tensorbridge.torch.DType.FLOAT16;
            case BFLOAT16 -> org.tensorbridge.torch.DType.BFLOAT16;
            case FLOAT32 -> org.tensorbridge.torch.DType.FLOAT32;
            case FLOAT64 -> org.tensorbridge.torch.DType.FLOAT64;
            case COMPLEX64 -> org.tensorbridge.torch.DType.COMPLEX64;
            case COMPLEX128 -> org.tensorbridge.torch.DType.COMPLEX128;
        };
    }

    /** {@link #toTorch}, refusing dtypes the loaded libtorch lacks with the fix in the message. */
    static org.tensorbridge.torch.DType supportedTorch(org.tensorbridge.ndarray.DType dtype) {
        org.tensorbridge.torch.DType torch = toTorch(dtype);
        if (!torch.isSupported()) {
            throw new BridgeException("arrays of dtype " + dtype.numpyName() + " cannot become tensors in libtorch "
                    + org.tensorbridge.torch.Torch.version() + " (it has no " + torch.torchName() + "; unsigned 16/32/64-bit"
                    + " dtypes need libtorch 2.3+): convert first, e.g. array.astype(DType.INT64)");
        }
        return torch;
    }

    /** The NDArray dtype of a tensor dtype; throws for dtypes NumPy lacks (complex32, float8). */
    static org.tensorbridge.ndarray.DType toArray(org.tensorbridge.torch.DType dtype) {
        return switch (dtype) {
            case BOOL -> org.tensorbridge.ndarray.DType.BOOL;
            case INT8 -> org.tensorbridge.ndarray.DType.INT8;
            case INT16 -> org.tensorbridge.ndarray.DType.INT16;
            case INT32 -> org.tensorbridge.ndarray.DType.INT32;
            case INT64 -> org.tensorbridge.ndarray.DType.INT64;
            case UINT8 -> org.tensorbridge.ndarray.DType.UINT8;
            case UINT16 -> org.tensorbridge.ndarray.DType.UINT16;
            case UINT32 -> org.tensorbridge.ndarray.DType.UINT32;
            case UINT64 -> org.tensorbridge.ndarray.DType.UINT64;
            case FLOAT16 -> org.tensorbridge.ndarray.DType.FLOAT16;
            case BFLOAT16 -> org.tensorbridge.ndarray.DType.BFLOAT16;
            case FLOAT32 -> org.tensorbridge.ndarray.DType.FLOAT32;
            case FLOAT64 -> org.tensorbridge.ndarray.DType.FLOAT64;
            case COMPLEX64 -> org.tensorbridge.ndarray.DType.COMPLEX64;
            case COMPLEX128 -> org.tensorbridge.ndarray.DType.COMPLEX128;
            case COMPLEX32, FLOAT8_E4M3FN, FLOAT8_E5M2 -> throw new BridgeException("tensor dtype " + dtype.torchName()
                    + " has no NDArray counterpart: convert it first, e.g. tensor.to(DType.FLOAT32)");
        };
    }
}
