package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

/**
 * How to create a tensor: dtype, device and whether autograd records it. Immutable; the defaults are
 * float32 on the CPU without grad, as in PyTorch.
 */
public record TensorOptions(DType dtype, Device device, boolean requiresGrad) {
    public static final TensorOptions DEFAULT = new TensorOptions(DType.FLOAT32, Device.CPU, false);

    public TensorOptions {
        if (dtype == null || device == null) {
            throw new IllegalArgumentException("dtype and device must not be null");
        }
    }

    public static TensorOptions of(DType dtype) {
        return DEFAULT.dtype(dtype);
    }

    public static TensorOptions on(Device device) {
        return DEFAULT.device(device);
    }

    public TensorOptions dtype(DType dtype) {
        return new TensorOptions(dtype, device, requiresGrad);
    }

    public TensorOptions device(Device device) {
        return new TensorOptions(dtype, device, requiresGrad);
    }

    public TensorOptions requiresGrad(boolean requiresGrad) {
        return new TensorOptions(dtype, device, requiresGrad);
    }
}
