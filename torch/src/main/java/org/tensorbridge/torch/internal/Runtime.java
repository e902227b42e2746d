package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Process- and thread-wide libtorch state: versions, dtypes, grad mode, autocast, seed, CUDA devices. */
public final class Runtime {
    private Runtime() {
    }

    public static String torchVersion() {
        try {
            return Native.string((MemorySegment) Native.TORCH_VERSION.invokeExact());
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static boolean builtWithCuda() {
        try {
            return (int) Native.BUILT_WITH_CUDA.invokeExact() != 0;
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** The c10::ScalarType code of a dtype by its C++ name ("Float", "UInt16"), or -1 if this libtorch lacks it. */
    public static int dtypeCode(String c10Name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) Native.DTYPE_CODE.invokeExact(arena.allocateFrom(c10Name));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static void manualSeed(long seed) {
        try {
            Status.check((int) Native.MANUAL_SEED.invokeExact(seed));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** Sets libtorch's intra-op thread count (at::set_num_threads). */
    public static void setNumThreads(int count) {
        try {
            Status.check((int) Native.SET_NUM_THREADS.invokeExact(count));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public static int numThreads() {
        return intOut(Native.NUM_THREADS);
    }

    public static boolean cudaAvailable() {
        return intOut(Native.CUDA_AVAILABLE) != 0;
    }

    public static int cudaDeviceCount() {
        return intOut(Native.CUDA_DEVICE_COUNT);
    }

    /** Name, compute capability and memory of one CUDA device. */
    public record CudaDevice(int index, String name, int major, int minor, long totalMemory, long freeMemory) {
    }

    public static CudaDevice cudaDevice(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(256);
            MemorySegment ints = arena.allocate(JAVA_INT, 2);
            MemorySegment longs = arena.allocate(JAVA_LONG, 2);
            Status.check((int) Native.CUDA_DEVICE_INFO.invokeExact(index, name, 256L, ints, ints.asSlice(4), longs,
                    longs.asSlice(8)));
            return new CudaDevice(index, name.getString(0), ints.get(JAVA_INT, 0), ints.get(JAVA_INT, 4),
                    longs.get(JAVA_LONG, 0), longs.get(JAVA_LONG, 8));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** cuDNN's version number, or -1 without cuDNN. */
    /**
     * cuDNN's version, or -1 when no CUDA device is usable: libtorch answers from the library it linked, even on
     * a machine without a GPU or driver, where cuDNN cannot run (what {@code torch.backends.cudnn.is_available()}
     * also checks).
     */
    public static long cudnnVersion() {
        if (!cudaAvailable()) {
            return -1;
        }
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.CUDNN_VERSION.invokeExact(out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_LONG, 0);
    }

    public static void cudaSynchronize(int deviceIndex) {
        try {
            Status.check((int) Native.CUDA_SYNCHRONIZE.invokeExact(deviceIndex));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    private static int intOut(java.lang.invoke.MethodHandle handle) {
        MemorySegment out = Scratch.get(4);
        try {
            Status.check((int) handle.invokeExact(out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_INT, 0);
    }
}
