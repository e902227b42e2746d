package org.tensorbridge.torch;

import java.lang.System.Logger.Level;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.tensorbridge.torch.internal.Runtime;

/**
 * A device: {@code cpu}, {@code cuda:N} (or the current CUDA device, index -1), {@code meta}.
 *
 * @param type  the device type
 * @param index the device index; -1 means "the current device of that type"
 */
public record Device(DeviceType type, int index) {
    private static final System.Logger LOG = System.getLogger(Device.class.getName());
    public static final Device CPU = new Device(DeviceType.CPU, -1);
    public static final Device META = new Device(DeviceType.META, -1);

    public Device {
        if (type == null) {
            throw new IllegalArgumentException("device type is null");
        }
        if (index < -1) {
            throw new IllegalArgumentException("device index must be >= 0 (or -1 for the current device), got " + index);
        }
    }

    public static Device cuda(int index) {
        return new Device(DeviceType.CUDA, index);
    }

    /** Parses PyTorch's device strings: "cpu", "cuda", "cuda:1", "meta". */
    public static Device parse(String text) {
        String trimmed = text.trim().toLowerCase(java.util.Locale.ROOT);
        int colon = trimmed.indexOf(':');
        if (colon < 0) {
            return new Device(DeviceType.fromName(trimmed), -1);
        }
        try {
            return new Device(DeviceType.fromName(trimmed.substring(0, colon)),
                    Integer.parseInt(trimmed.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad device index in '" + text + "': expected e.g. cuda:0", e);
        }
    }

    /**
     * The device to compute on: a usable CUDA device when there is one (the one with the most free memory),
     * else the CPU. Logs which device it picked and why.
     */
    public static Device best() {
        if (!Runtime.cudaAvailable()) {
            LOG.log(Level.INFO, "no usable CUDA device (libtorch {0}, built with CUDA: {1}); using the CPU."
                    + " `tensorbridge doctor` explains why", Torch.version(), Runtime.builtWithCuda());
            return CPU;
        }
        int count = Runtime.cudaDeviceCount();
        if (!Runtime.builtWithCuda()) {
            LOG.log(Level.INFO, "{0} CUDA device(s) present but this shim was built without CUDA; using cuda:0", count);
            return cuda(0);
        }
        Runtime.CudaDevice pick = IntStream.range(0, count).mapToObj(Runtime::cudaDevice)
                .max(Comparator.comparingLong(Runtime.CudaDevice::freeMemory)
                        .thenComparing(d -> -d.index()))
                .orElseThrow();
        LOG.log(Level.INFO, "using cuda:{0} ({1}, compute capability {2}.{3}, {4} MiB free)", pick.index(), pick.name(),
                pick.major(), pick.minor(), pick.freeMemory() >> 20);
        return cuda(pick.index());
    }

    public boolean isCuda() {
        return type == DeviceType.CUDA;
    }

    public boolean isCpu() {
        return type == DeviceType.CPU;
    }

    @Override
    public String toString() {
        return index < 0 ? type.torchName() : type.torchName() + ":" + index;
    }
}
