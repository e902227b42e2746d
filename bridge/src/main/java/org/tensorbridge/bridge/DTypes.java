package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;
import org.tensorbridge.torch.Torch;

/** The checks a dtype passes on its way between arrays and tensors (both sides share {@link DType}). */
final class DTypes {
    private DTypes() {
    }

    /** {@code dtype}, refusing dtypes the loaded libtorch lacks with the fix in the message. */
    static DType supportedTorch(DType dtype) {
        if (!Torch.supports(dtype)) {
            throw new BridgeException("arrays of dtype " + dtype.numpyName() + " cannot become tensors in libtorch "
                    + Torch.version() + " (unsigned 16/32/64-bit dtypes need libtorch 2.3+): convert first, e.g."
                    + " array.astype(DType.INT64)");
        }
        return dtype;
    }

    /** {@code dtype} when NDArray can hold it; throws for the tensor-only dtypes (complex32, float8). */
    static DType toArray(DType dtype) {
        if (!dtype.isArrayType()) {
            throw new BridgeException("tensor dtype " + dtype.torchName() + " has no NDArray counterpart: convert it"
                    + " first, e.g. tensor.to(DType.FLOAT32)");
        }
        return dtype;
    }
}
