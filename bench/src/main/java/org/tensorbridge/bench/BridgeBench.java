package org.tensorbridge.bench;

import org.tensorbridge.core.DType;

import org.tensorbridge.bridge.Bridge;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.Tensor;

/**
 * The bridge's costs, next to PyTorch's (bench/bridge_bench.py prints the same names; bench/bridge.sh runs
 * both and prints the ratio table):
 * <ul>
 *   <li>{@code share_from_array_*}: Bridge.fromArray + close vs torch.from_numpy (goal: constant in size, no
 *       slower than from_numpy);</li>
 *   <li>{@code to_array_*}: Bridge.toArray + close vs tensor.numpy();</li>
 *   <li>{@code copy_from_array_256MB}: Bridge.copyFromArray vs torch.tensor(ndarray);
 *       {@code copy_from_heap_256MB}: Bridge.copyFrom(float[]) vs torch.from_numpy(a).clone().</li>
 * </ul>
 * float32 arrays of 1 KiB, 1 MiB, 256 MiB and 1 GiB. Usage: BridgeBench [rounds] [reps].
 */
public final class BridgeBench {
    private BridgeBench() {
    }

    private static final long[] SIZES = {1L << 10, 1L << 20, 256L << 20, 1L << 30};

    static String label(long bytes) {
        return bytes >= 1L << 30 ? (bytes >> 30) + "GB" : bytes >= 1L << 20 ? (bytes >> 20) + "MB" : (bytes >> 10) + "KB";
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        System.out.println("# java " + Runtime.version() + ", libtorch " + org.tensorbridge.torch.Torch.version()
                + ", " + Runtime.getRuntime().availableProcessors() + " cores; libtorch threads: its default");

        for (long bytes : SIZES) {
            try (NDArray array = NDArray.zeros(DType.FLOAT32, bytes / 4)) {
                Timer.report("share_from_array_" + label(bytes),
                        Timer.medianSeconds(rounds, reps, () -> Bridge.fromArray(array).close()));
            }
        }
        for (long bytes : SIZES) {
            try (Tensor tensor = Tensor.zeros(bytes / 4)) {
                Timer.report("to_array_" + label(bytes),
                        Timer.medianSeconds(rounds, Math.max(reps / 10, 1), () -> Bridge.toArray(tensor).close()));
            }
        }

        long bytes = 256L << 20;
        int n = (int) (bytes / 4);
        int copyRounds = Math.max(rounds, 5);
        try (NDArray array = NDArray.full(DType.FLOAT32, 1.5, n)) {
            Timer.report("copy_from_array_" + label(bytes),
                    Timer.medianSeconds(copyRounds, 1, () -> Bridge.copyFromArray(array).close()));
        }
        float[] heap = new float[n];
        java.util.Arrays.fill(heap, 1.5f);
        Timer.report("copy_from_heap_" + label(bytes), Timer.medianSeconds(copyRounds, 1, () -> Bridge.copyFrom(heap).close()));
    }
}
