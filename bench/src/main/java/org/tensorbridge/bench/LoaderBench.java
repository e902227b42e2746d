package org.tensorbridge.bench;

import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.data.ArrayDataset;
import org.tensorbridge.data.Batch;
import org.tensorbridge.data.DataLoader;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDRandom;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Torch;

/**
 * The loader on the seed's data shape: 60000 x 784 float32 features + int64 labels, batch 256, shuffled, one
 * epoch per call, in each mode (streaming with 0 and 2 workers, resident), to the CPU or to {@code cuda}
 * (second argument). bench/loader_bench.py times PyTorch's DataLoader in its configurations (to the same
 * device) and the bare randperm + index_select gather; bench/loader.sh runs both and prints the ratios.
 */
public final class LoaderBench {
    private LoaderBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Device device = args.length > 1 ? Device.parse(args[1]) : Device.CPU;
        boolean cuda = device.type() == DeviceType.CUDA;
        try (Scope scope = Scope.open()) {
            NDRandom random = new NDRandom(0);
            NDArray x = random.normal(0, 1, 60000, 784).astype(DType.FLOAT32);
            NDArray y = random.integers(0, 10, 60000);
            ArrayDataset data = ArrayDataset.of(x, y);
            double best = Double.MAX_VALUE;
            for (var config : new Object[][] {{"stream_w0", DataLoader.Mode.STREAM, 0}, {"stream_w2", DataLoader.Mode.STREAM, 2},
                    {"resident", DataLoader.Mode.RESIDENT, 0}}) {
                try (DataLoader loader = DataLoader.builder(data).batchSize(256).shuffle(1).workers((int) config[2])
                        .mode((DataLoader.Mode) config[1]).device(device).build()) {
                    long[] epoch = {0};
                    double seconds = Timer.medianSeconds(rounds, 1, () -> {
                        for (Batch batch : loader.epoch(epoch[0]++)) {
                            batch.close();
                        }
                        if (cuda) {
                            Torch.cudaSynchronize(Math.max(device.index(), 0));  // every batch has arrived
                        }
                    });
                    Timer.report("epoch_" + config[0], seconds);
                    System.out.printf("# %s: %.2fM samples/s%n", config[0], 60000 / seconds / 1e6);
                    best = Math.min(best, seconds);
                }
            }
            Timer.report("epoch_best", best);
        }
    }
}
