package org.tensorbridge.data;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Tensor;

/** An epoch over a resident dataset: each batch is gathered on the device from the epoch's order. */
final class ResidentEpoch extends DataLoader.EpochBase {
    private final ResidentData data;
    private final long[] order;
    private final int batchSize;
    private final long epoch;
    private final Consumer<Progress> progress;
    private final List<Field> fields;
    private final long startNanos = System.nanoTime();
    private long samples;
    private boolean closed;

    ResidentEpoch(ResidentData data, List<Field> fields, long[] order, int batchSize, long batches, long epoch,
                  Consumer<Progress> progress) {
        super(batches);
        this.data = data;
        this.fields = fields;
        this.order = order;
        this.batchSize = batchSize;
        this.epoch = epoch;
        this.progress = progress;
    }

    @Override
    Batch batch(long k) {
        if (closed) {
            throw new IllegalStateException("the epoch was closed");
        }
        int from = (int) (k * batchSize);
        int to = (int) Math.min(order.length, from + (long) batchSize);
        Tensor[] tensors = new Tensor[data.fields.length];
        Scope consumer = Scope.current();
        try (Scope scope = Scope.open()) {
            Tensor indices = Tensor.of(Arrays.copyOfRange(order, from, to));
            if (data.device.type() == DeviceType.CUDA) {
                indices = indices.to(data.device, false);
            }
            for (int f = 0; f < tensors.length; f++) {
                tensors[f] = scope.detach(data.fields[f].indexSelect(0, indices));
            }
        }
        handTo(consumer, tensors);
        samples += to - from;
        if (progress != null) {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            progress.accept(new Progress(epoch, k, batches, samples, samples / Math.max(seconds, 1e-9), 0, 0));
        }
        return new Batch(fields, tensors, to - from, k, () -> { });
    }

    @Override
    public void close() {
        closed = true;
    }
}
