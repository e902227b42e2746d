package org.tensorbridge.cli.training;

import java.util.Locale;
import org.tensorbridge.cli.EnvironmentException;
import org.tensorbridge.cli.UsageException;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Torch;

/** {@code --device auto|cpu|cuda[:i]}: auto is CUDA when usable, else the CPU; CUDA asked for and missing is exit 3. */
public final class Devices {
    private Devices() {
    }

    public static Device resolve(String text) {
        String value = text.strip().toLowerCase(Locale.ROOT);
        if (value.equals("auto")) {
            return Device.best();
        }
        Device device;
        try {
            device = Device.parse(value);
        } catch (RuntimeException e) {
            throw new UsageException("--device " + text + ": use auto, cpu, cuda or cuda:N (" + e.getMessage() + ")");
        }
        if (device.type() == DeviceType.CUDA) {
            if (!Torch.cudaAvailable()) {
                throw new EnvironmentException("--device " + text + ": CUDA is not usable here; run `tensorbridge doctor`"
                        + " to see why, or use --device auto or cpu");
            }
            if (device.index() >= Torch.cudaDeviceCount()) {
                throw new EnvironmentException("--device " + text + ": this machine has " + Torch.cudaDeviceCount()
                        + " CUDA device(s), numbered from 0");
            }
        } else if (device.type() != DeviceType.CPU) {
            throw new UsageException("--device " + text + ": use auto, cpu, cuda or cuda:N");
        }
        return device;
    }
}
