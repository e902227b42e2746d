package org.tensorbridge.torch;

import org.tensorbridge.core.DType;
import org.tensorbridge.torch.internal.ThreadState;

/**
 * Automatic mixed precision for the current Java thread, like {@code torch.autocast(device_type, dtype)}:
 * <pre>{@code try (var amp = Autocast.enable(DeviceType.CUDA, DType.BFLOAT16)) { loss = model.forward(x); }}</pre>
 * Works the same on libtorch 1.13 and 2.x (the shim hides their different APIs), and on virtual threads.
 * Closing restores the previous state and, when the outermost scope ends, drops autocast's cache of cast
 * weights.
 */
public final class Autocast extends ThreadBoundScope {
    private final ThreadState state = ThreadState.current();
    private final boolean cuda;
    private final int[] previous;

    private Autocast(DeviceType deviceType, DType dtype, boolean enabled) {
        super("autocast");
        if (deviceType != DeviceType.CPU && deviceType != DeviceType.CUDA) {
            throw new IllegalArgumentException("autocast supports cpu and cuda, not " + deviceType.torchName());
        }
        this.cuda = deviceType == DeviceType.CUDA;
        this.previous = state.autocast(cuda);
        int code = dtype == null ? previous[1] : ScalarTypes.code(dtype);
        state.setAutocast(cuda, enabled, code);
        state.enterAutocast();
    }

    /** Enables autocast to {@code dtype} (float16 or bfloat16) for ops on {@code deviceType}. */
    public static Autocast enable(DeviceType deviceType, DType dtype) {
        if (dtype != DType.FLOAT16 && dtype != DType.BFLOAT16) {
            throw new IllegalArgumentException("autocast casts to float16 or bfloat16, not " + dtype.torchName());
        }
        return new Autocast(deviceType, dtype, true);
    }

    /**
     * A region without autocast inside an autocast scope ({@code torch.autocast(device_type, enabled=False)}):
     * ops run in their inputs' dtypes until it closes.
     */
    public static Autocast disable(DeviceType deviceType) {
        return new Autocast(deviceType, null, false);
    }

    /** Whether autocast is on for {@code deviceType} in the current Java thread. */
    public static boolean isEnabled(DeviceType deviceType) {
        return ThreadState.current().autocast(deviceType == DeviceType.CUDA)[0] != 0;
    }

    @Override
    void restore() {
        state.leaveAutocast();
        state.setAutocast(cuda, previous[0] != 0, previous[1]);
    }
}
