package org.tensorbridge.torch;

import java.nio.file.Path;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Parallelism;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.tensorbridge.torch.internal.Native;
import org.tensorbridge.torch.internal.Runtime;

/** Process-wide libtorch facts and settings: versions, CUDA devices, the random seed. */
public final class Torch {
    private Torch() {
    }

    /** The libtorch version the shim was compiled against, e.g. "1.13.0" or "2.11.0". */
    public static String version() {
        return Runtime.torchVersion();
    }

    /** Where the native shim was loaded from. */
    public static Path shimPath() {
        return Native.library().path();
    }

    /** What the build recorded: libtorch.source, libtorch.lib, libtorch.version, cuda. */
    public static Properties buildInfo() {
        return Native.library().buildInfo();
    }

    /** Whether the shim was compiled with CUDA support (needed for device properties). */
    public static boolean builtWithCuda() {
        return Runtime.builtWithCuda();
    }

    /** {@code torch.cuda.is_available()}. */
    public static boolean cudaAvailable() {
        return Runtime.cudaAvailable();
    }

    public static int cudaDeviceCount() {
        return Runtime.cudaDeviceCount();
    }

    /** Name, compute capability and memory of every CUDA device; empty without CUDA. */
    public static List<CudaDeviceInfo> cudaDevices() {
        if (!Runtime.cudaAvailable() || !Runtime.builtWithCuda()) {
            return List.of();
        }
        return IntStream.range(0, Runtime.cudaDeviceCount()).mapToObj(Runtime::cudaDevice)
                .map(d -> new CudaDeviceInfo(d.index(), d.name(), d.major(), d.minor(), d.totalMemory(), d.freeMemory()))
                .toList();
    }

    /** cuDNN's version (e.g. 90100), or -1 when libtorch has no cuDNN. */
    public static long cudnnVersion() {
        return Runtime.cudnnVersion();
    }

    /** Waits for all work on a CUDA device; throws {@link CudaUnavailableException} without CUDA. */
    public static void cudaSynchronize(int deviceIndex) {
        Runtime.cudaSynchronize(deviceIndex);
    }

    /** Whether the loaded libtorch has {@code dtype} (unsigned 16/32/64-bit need 2.3+, float8 2.1+). */
    public static boolean supports(DType dtype) {
        return ScalarTypes.isSupported(dtype);
    }

    /**
     * Sets how many threads libtorch's intra-op parallelism uses ({@code torch.set_num_threads}) and the
     * array layer's parallel loops ({@link Parallelism}): one setting for both.
     */
    public static void setNumThreads(int count) {
        Parallelism.setThreads(count);
        Runtime.setNumThreads(count);
    }

    /** {@code torch.get_num_threads()}. */
    public static int numThreads() {
        return Runtime.numThreads();
    }

    /** Seeds libtorch's generators (CPU and CUDA), like {@code torch.manual_seed}. */
    public static void manualSeed(long seed) {
        Runtime.manualSeed(seed);
    }

    /** A CUDA device's properties. */
    public record CudaDeviceInfo(int index, String name, int major, int minor, long totalMemory, long freeMemory) {
        public String computeCapability() {
            return major + "." + minor;
        }
    }
}
