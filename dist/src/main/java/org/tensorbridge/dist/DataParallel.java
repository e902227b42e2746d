package org.tensorbridge.dist;

import java.util.ArrayList;
import java.util.List;
import org.tensorbridge.core.Scope;
import org.tensorbridge.core.DType;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;

/**
 * Data-parallel training over a {@link ProcessGroup}, as PyTorch's DistributedDataParallel does it: every rank holds a
 * replica of the parameters, trains on its own shard of each batch, and after the backward pass the gradients are
 * averaged over the ranks, so every replica takes the same optimizer step.
 * <pre>{@code
 * try (DataParallel ddp = new DataParallel(group, parameters)) {  // broadcasts rank 0's parameters
 *     for (...) {
 *         ddp.backward(loss);        // loss.backward(), then the gradients averaged in buckets
 *         optimizer.step();
 *     }
 * }
 * }</pre>
 * Gradients are reduced in buckets of about {@link #DEFAULT_BUCKET_BYTES} (parameters in reverse order, as autograd
 * produces them): each bucket's gradients are packed into one flat buffer and its all-reduce starts at once, while
 * the next bucket is packed; then every bucket is awaited, divided by the world size and unpacked into the
 * gradients. {@link #noSync()} skips the reduction for gradient accumulation: the gradients accumulated locally are
 * averaged by the first {@link #backward}/{@link #synchronizeGradients} outside it.
 *
 * <p>The parameters stay the caller's: this class holds only its bucket buffers, closed by {@link #close()}. A
 * parameter without a gradient on some step contributes zeros (PyTorch's {@code find_unused_parameters} case).
 */
public final class DataParallel implements AutoCloseable {
    /** PyTorch DDP's default bucket_cap_mb is 25. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final ProcessGroup group;
    private final List<Tensor> parameters;
    private final List<Bucket> buckets = new ArrayList<>();
    private int noSyncDepth;
    private boolean closed;

    private static final class Bucket {
        final List<Integer> indices = new ArrayList<>();
        final List<long[]> shapes = new ArrayList<>();
        final List<long[]> offsets = new ArrayList<>();  // {start, numel}
        DType dtype;
        long numel;
        Tensor flat;
    }

    public DataParallel(ProcessGroup group, List<Tensor> parameters) {
        this(group, parameters, DEFAULT_BUCKET_BYTES);
    }

    public DataParallel(ProcessGroup group, List<Tensor> parameters, long bucketBytes) {
        this.group = group;
        this.parameters = List.copyOf(parameters);
        if (bucketBytes <= 0) {
            throw new IllegalArgumentException("bucketBytes must be positive: " + bucketBytes);
        }
        Bucket current = null;
        for (int i = this.parameters.size() - 1; i >= 0; i--) {
            Tensor p = this.parameters.get(i);
            if (p.device().type() != DeviceType.CPU) {
                throw new UnsupportedOperationException("parameter " + i + " is on " + p.device()
                        + ": this build reduces over Gloo, which takes CPU tensors only (NCCL is not built in yet)");
            }
            long bytes = p.numel() * p.elementSize();
            if (current == null || current.dtype != p.dtype()
                    || (current.numel > 0 && (current.numel * p.elementSize() + bytes) > bucketBytes)) {
                current = new Bucket();
                current.dtype = p.dtype();
                buckets.add(current);
            }
            current.indices.add(i);
            current.shapes.add(p.shape());
            current.offsets.add(new long[] {current.numel, p.numel()});
            current.numel += p.numel();
        }
        try (Scope scope = Scope.open()) {
            for (Bucket b : buckets) {
                b.flat = scope.detach(Tensor.zeros(TensorOptions.DEFAULT.dtype(b.dtype), b.numel));
            }
        }
        broadcastParameters();
    }

    /** Copies rank 0's parameter values to every rank (done once at construction, as DDP does). */
    public void broadcastParameters() {
        live();
        try (Scope scope = Scope.open()) {
            for (Bucket b : buckets) {
                for (int k = 0; k < b.indices.size(); k++) {
                    slot(b, k).copy_(parameters.get(b.indices.get(k)).detach().reshape(-1));
                }
                group.broadcast(b.flat, 0);
                for (int k = 0; k < b.indices.size(); k++) {
                    Tensor p = parameters.get(b.indices.get(k)).detach();
                    p.copy_(slot(b, k).view(b.shapes.get(k)));
                }
            }
        }
    }

    private static Tensor slot(Bucket b, int k) {
        long[] o = b.offsets.get(k);
        return b.flat.slice(0, o[0], o[0] + o[1], 1);
    }

    /** {@code loss.backward()}, then {@link #synchronizeGradients()} (skipped inside {@link #noSync()}). */
    public void backward(Tensor loss) {
        loss.backward();
        synchronizeGradients();
    }

    /** Averages every parameter's gradient over the ranks, in place; a no-op inside {@link #noSync()}. */
    public void synchronizeGradients() {
        live();
        if (noSyncDepth > 0) {
            return;
        }
        List<Work> works = new ArrayList<>(buckets.size());
        try (Scope scope = Scope.open()) {
            for (Bucket b : buckets) {
                for (int k = 0; k < b.indices.size(); k++) {
                    Tensor grad = parameters.get(b.indices.get(k)).grad();
                    Tensor s = slot(b, k);
                    if (grad == null) {
                        s.zero_();
                    } else {
                        s.copy_(grad.reshape(-1));
                    }
                }
                works.add(group.allReduceAsync(b.flat, ReduceOp.SUM));
            }
            for (Work w : works) {
                w.await();
            }
            double world = group.worldSize();
            for (Bucket b : buckets) {
                b.flat.div_(world);
                for (int k = 0; k < b.indices.size(); k++) {
                    Tensor p = parameters.get(b.indices.get(k));
                    Tensor grad = p.grad();
                    Tensor averaged = slot(b, k).view(b.shapes.get(k));
                    if (grad == null) {
                        p.setGrad(averaged.clone());
                    } else {
                        grad.copy_(averaged);
                    }
                }
            }
        } finally {
            for (Work w : works) {
                w.close();
            }
        }
    }

    /**
     * Skips gradient averaging until the returned handle is closed (PyTorch's {@code no_sync()}), for gradient
     * accumulation: {@code try (var s = ddp.noSync()) { ddp.backward(loss1); } ddp.backward(loss2);}
     */
    public AutoCloseable noSync() {
        noSyncDepth++;
        return new AutoCloseable() {
            private boolean done;

            @Override
            public void close() {
                if (!done) {
                    done = true;
                    noSyncDepth--;
                }
            }
        };
    }

    public ProcessGroup group() {
        return group;
    }

    /** How many buckets the gradients are reduced in. */
    public int bucketCount() {
        return buckets.size();
    }

    private void live() {
        if (closed) {
            throw new IllegalStateException("this DataParallel is closed");
        }
    }

    /** Frees the bucket buffers; the parameters and the group stay open. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (Bucket b : buckets) {
                b.flat.close();
            }
        }
    }
}
