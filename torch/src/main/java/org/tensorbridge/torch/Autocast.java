package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import org.tensorbridge.torch.internal.Runtime;

/**
 * Automatic mixed precision for the current thread, like {@code torch.autocast(device_type, dtype)}:
 * <pre>{@code try (var amp = Autocast.enable(DeviceType.CUDA, DType.BFLOAT16)) { loss = model.forward(x); }}</pre>
 * Works the same on libtorch 1.13 and 2.x (the shim hides their different APIs). Closing restores the
 * previous state and, when the outermost scope ends, drops autocast's cache of cast weights.
 */
public final class Autocast extends ThreadBoundScope {
    private final DeviceType deviceType;
    private final boolean previousEnabled;
    private final int previousDtype;

    private Autocast(DeviceType deviceType, DType dtype) {
        super("autocast");
        if (deviceType != DeviceType.CPU && deviceType != DeviceType.CUDA) {
            throw new IllegalArgumentException("autocast supports cpu and cuda, not " + deviceType.torchName());
        }
        this.deviceType = deviceType;
        this.previousDtype = Runtime.setAutocastDtype(deviceType.code(), ScalarTypes.code(dtype));
        this.previousEnabled = Runtime.setAutocastEnabled(deviceType.code(), true);
        Runtime.autocastNesting(+1);
    }

    /** Enables autocast to {@code dtype} (float16 or bfloat16) for ops on {@code deviceType}. */
    public static Autocast enable(DeviceType deviceType, DType dtype) {
        if (dtype != DType.FLOAT16 && dtype != DType.BFLOAT16) {
            throw new IllegalArgumentException("autocast casts to float16 or bfloat16, not " + dtype.torchName());
        }
        return new Autocast(deviceType, dtype);
    }

    @Override
    void restore() {
        Runtime.autocastNesting(-1);
        Runtime.setAutocastEnabled(deviceType.code(), previousEnabled);
        Runtime.setAutocastDtype(deviceType.code(), previousDtype);
    }
}
