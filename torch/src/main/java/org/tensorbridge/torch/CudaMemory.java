package org.tensorbridge.torch;

import java.util.ArrayList;
import java.util.List;
import org.tensorbridge.torch.internal.Gpu;

/** The CUDA caching allocator: statistics, {@link #emptyCache()}, peak reset. */
public final class CudaMemory {
    private CudaMemory() {
    }

    /** Bytes held by tensors ({@code allocated}) and by the allocator's cache ({@code reserved}), now and at peak. */
    public record Stats(int deviceIndex, long allocated, long peakAllocated, long reserved, long peakReserved) {
        @Override
        public String toString() {
            return String.format("cuda:%d allocated %d MiB (peak %d MiB), reserved %d MiB (peak %d MiB)", deviceIndex,
                    allocated >> 20, peakAllocated >> 20, reserved >> 20, peakReserved >> 20);
        }
    }

    public static Stats stats(int deviceIndex) {
        long[] s = Gpu.memoryStats(deviceIndex);
        return new Stats(deviceIndex, s[0], s[1], s[2], s[3]);
    }

    /** Statistics of every CUDA device; empty without CUDA. */
    public static List<Stats> allStats() {
        List<Stats> all = new ArrayList<>();
        if (Torch.cudaAvailable() && Torch.builtWithCuda()) {
            for (int i = 0; i < Torch.cudaDeviceCount(); i++) {
                all.add(stats(i));
            }
        }
        return all;
    }

    /** Returns cached, unused blocks to the driver (like {@code torch.cuda.empty_cache()}). */
    public static void emptyCache() {
        if (Torch.builtWithCuda() && Torch.cudaAvailable()) {  // like torch.cuda.empty_cache: a no-op without CUDA
            Gpu.emptyCache();
        }
    }

    public static void resetPeakStats(int deviceIndex) {
        Gpu.resetPeakStats(deviceIndex);
    }
}
