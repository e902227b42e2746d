package org.tensorbridge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDArrays;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Torch;

/** Batches streamed through pinned buffers and a copy stream, or resident on the GPU, equal the CPU's. */
@Tag("cuda")
class LoaderCudaTest {
    @Test
    void cudaBatchesEqualCpuBatchesInEveryMode() {
        Assumptions.assumeTrue(Torch.cudaAvailable() && Torch.builtWithCuda(), "no usable CUDA device");
        try (Scope scope = Scope.open()) {
            NDArray y = NDArrays.arange(0.0, 5000, 1.0, DType.INT64);
            NDArray x = y.reshape(5000, 1).astype(DType.FLOAT32).mul(NDArray.of(new float[] {1f, -1f, 0.5f}));
            ArrayDataset data = ArrayDataset.of(x, y);
            List<List<long[]>> runs = new ArrayList<>();
            for (Device device : new Device[] {Device.CPU, Device.cuda(0), Device.cuda(0)}) {
                DataLoader.Mode mode = runs.size() == 2 ? DataLoader.Mode.RESIDENT : DataLoader.Mode.STREAM;
                try (DataLoader loader = DataLoader.builder(data).batchSize(128).shuffle(4).workers(2).device(device)
                        .mode(mode).build()) {
                    List<long[]> batches = new ArrayList<>();
                    for (Batch batch : loader.epoch(0)) {
                        try (Scope step = Scope.open(); batch) {
                            assertEquals(device.type(), batch.get("x").device().type());
                            long[] labels = batch.get("y").toLongArray();
                            float[] features = batch.get("x").toFloatArray();
                            for (int r = 0; r < labels.length; r++) {
                                assertEquals(-(float) labels[r], features[3 * r + 1], "row " + r);  // label 0: -0.0f, as x = y * -1f
                            }
                            batches.add(labels);
                        }
                    }
                    runs.add(batches);
                }
            }
            for (List<long[]> run : runs.subList(1, runs.size())) {
                for (int b = 0; b < run.size(); b++) {
                    assertArrayEquals(runs.getFirst().get(b), run.get(b));
                }
            }
            assertEquals(DeviceType.CUDA, Device.cuda(0).type());
        }
    }
}
