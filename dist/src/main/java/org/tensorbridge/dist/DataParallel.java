package org.tensorbridge.dist;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TorchArgumentException;
import org.tensorbridge.torch.TorchException;
import org.tensorbridge.torch.internal.Distributed;

/**
 * Data-parallel training over a {@link ProcessGroup}, as PyTorch's DistributedDataParallel does it: every rank holds a
 * replica of the parameters, trains on its own shard of each batch, and the gradients are averaged over the ranks
 * while the backward pass runs, so every replica takes the same optimizer step.
 * <pre>{@code
 * try (DataParallel ddp = new DataParallel(group, parameters)) {  // broadcasts rank 0's parameters
 *     for (...) {
 *         ddp.backward(loss);        // loss.backward(), the gradients averaged in buckets as they are produced
 *         optimizer.step();
 *     }
 * }
 * }</pre>
 * <b>Overlap.</b> The parameters are grouped into buckets (reverse parameter order, as autograd produces the
 * gradients; the first bucket at most {@link #FIRST_BUCKET_BYTES}, the others about {@code bucketBytes}). A hook on
 * each parameter's gradient accumulator (in the native shim, on libtorch's autograd thread: no call back into Java)
 * copies the gradient into its bucket as soon as backward has computed it, and starts the bucket's all-reduce once
 * its last gradient is in, while backward goes on with the earlier layers. {@link #synchronizeGradients()} then waits
 * for the buckets, divides by the world size and writes the averages into the gradients. Buckets start in the same
 * order on every rank.
 *
 * <p><b>Unused parameters.</b> A parameter that gets no gradient in a backward pass (a branch not taken) does not
 * block anything: its bucket (and the ones after it, to keep the ranks' order) starts when
 * {@link #synchronizeGradients()} runs, with the parameter's current gradient or zeros where it has none — PyTorch's
 * {@code find_unused_parameters=True} without the graph walk; only the overlap of those buckets is lost. Unlike
 * PyTorch, a parameter no rank used gets a zero gradient rather than keeping {@code None}. Parameters that do not
 * require grad are broadcast but never reduced.
 *
 * <p><b>Accumulation.</b> Inside {@link #noSync()} the hooks do nothing, so gradients accumulate locally; the first
 * backward outside it reduces the accumulated gradients. A second backward before the gradients of the first were
 * synchronized (outside {@code noSync}) fails with an error that says so.
 *
 * <p>The parameters stay the caller's; this class holds the reducer (bucket buffers, hooks), freed by {@link #close()}.
 */
public final class DataParallel implements AutoCloseable {
    /** PyTorch DDP's default bucket_cap_mb is 25. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;
    /** PyTorch DDP's first bucket is capped at 1 MB so that its all-reduce starts early in the backward pass. */
    public static final long FIRST_BUCKET_BYTES = 1L << 20;

    private final ProcessGroup group;
    private final List<Tensor> parameters;
    private final long bucketBytes;
    private final int bucketCount;
    private MemorySegment reducer;
    private int noSyncDepth;

    /** How the last {@link #synchronizeGradients()} went: how many buckets the hooks started during backward. */
    public record ReductionStats(long steps, int buckets, int startedDuringBackward, int startedAfterBackward,
            long gradientsPendingAtFirstStart) {
    }

    public DataParallel(ProcessGroup group, List<Tensor> parameters) {
        this(group, parameters, DEFAULT_BUCKET_BYTES);
    }

    public DataParallel(ProcessGroup group, List<Tensor> parameters, long bucketBytes) {
        if (bucketBytes <= 0) {
            throw new IllegalArgumentException("bucketBytes must be positive: " + bucketBytes);
        }
        this.group = group;
        this.parameters = List.copyOf(parameters);
        this.bucketBytes = bucketBytes;
        int[] bucketOf = assignBuckets(group, this.parameters, bucketBytes);
        int count = 0;
        for (int b : bucketOf) {
            count = Math.max(count, b + 1);
        }
        this.bucketCount = count;
        broadcastParameters();
        try {
            reducer = Distributed.newReducer(group.handle(), this.parameters, bucketOf, count);
        } catch (TorchArgumentException e) {
            throw new IllegalArgumentException("DataParallel: " + e.getMessage(), e);
        }
    }

    /** Bucket of each parameter (-1: not reduced): reverse order, one dtype per bucket, the first one small. */
    private static int[] assignBuckets(ProcessGroup group, List<Tensor> parameters, long bucketBytes) {
        int[] bucketOf = new int[parameters.size()];
        int bucket = -1;
        long bytes = 0;
        DType dtype = null;
        for (int i = parameters.size() - 1; i >= 0; i--) {
            Tensor p = parameters.get(i);
            if (p.device().type() == DeviceType.CUDA && !group.backends().contains(ProcessGroup.Backend.NCCL)) {
                throw new UnsupportedOperationException("parameter " + i + " is on " + p.device() + ": CUDA tensors"
                        + " are reduced over NCCL, and this group has none (" + (ProcessGroup.isNcclAvailable()
                        ? "create it with ProcessGroup.defaultBackends() or Backend.NCCL"
                        : ProcessGroup.ncclUnavailableReason()) + ")");
            }
            if (p.device().type() != DeviceType.CPU && p.device().type() != DeviceType.CUDA) {
                throw new UnsupportedOperationException("parameter " + i + " is on " + p.device()
                        + ": DataParallel reduces CPU tensors (Gloo) and CUDA tensors (NCCL)");
            }
            if (!p.requiresGrad()) {
                bucketOf[i] = -1;
                continue;
            }
            if (!p.isLeaf()) {
                throw new IllegalArgumentException("parameter " + i + " is not a leaf tensor (it was computed from"
                        + " others): pass the tensors the optimizer updates, e.g. module.parameters()");
            }
            long size = p.numel() * p.elementSize();
            long cap = bucket == 0 ? Math.min(FIRST_BUCKET_BYTES, bucketBytes) : bucketBytes;
            if (bucket < 0 || p.dtype() != dtype || (bytes > 0 && bytes + size > cap)) {
                bucket++;
                bytes = 0;
                dtype = p.dtype();
            }
            bucketOf[i] = bucket;
            bytes += size;
        }
        return bucketOf;
    }

    /** Copies rank 0's parameter values to every rank (done once at construction, as DDP does). */
    public void broadcastParameters() {
        try (Scope scope = Scope.open()) {
            List<Tensor> chunk = new ArrayList<>();
            long bytes = 0;
            for (Tensor p : parameters) {
                long size = p.numel() * p.elementSize();
                if (!chunk.isEmpty() && (chunk.get(0).dtype() != p.dtype() || bytes + size > bucketBytes)) {
                    broadcastChunk(chunk);
                    chunk.clear();
                    bytes = 0;
                }
                chunk.add(p);
                bytes += size;
            }
            if (!chunk.isEmpty()) {
                broadcastChunk(chunk);
            }
        }
    }

    private void broadcastChunk(List<Tensor> chunk) {
        List<Tensor> flat = new ArrayList<>(chunk.size());
        for (Tensor p : chunk) {
            flat.add(p.detach().reshape(-1));
        }
        Tensor buffer = group.broadcast(Tensor.cat(flat, 0), 0);
        long offset = 0;
        for (Tensor p : chunk) {
            p.detach().copy_(buffer.slice(0, offset, offset + p.numel(), 1).view(p.shape()));
            offset += p.numel();
        }
    }

    /** {@code loss.backward()} (the buckets reduced as their gradients come), then {@link #synchronizeGradients()}. */
    public void backward(Tensor loss) {
        live();
        loss.backward();
        synchronizeGradients();
    }

    /**
     * Waits for the gradients' all-reduce (starting the buckets the backward pass did not) and writes the averages
     * into every parameter's gradient; a no-op inside {@link #noSync()}. Call it after each {@code loss.backward()}
     * that is not {@link #backward(Tensor)}.
     */
    public void synchronizeGradients() {
        MemorySegment r = live();
        if (noSyncDepth > 0) {
            return;
        }
        try {
            Distributed.reducerFinish(r);
        } catch (TorchException e) {
            throw group.failure("gradient all_reduce", e);
        }
    }

    /**
     * Skips gradient averaging until the returned handle is closed (PyTorch's {@code no_sync()}), for gradient
     * accumulation: {@code try (var s = ddp.noSync()) { ddp.backward(loss1); } ddp.backward(loss2);}
     */
    public NoSync noSync() {
        MemorySegment r = live();
        if (noSyncDepth++ == 0) {
            Distributed.reducerSetSync(r, false);
        }
        return new NoSync();
    }

    /** Closing it ends the {@link #noSync()} region (idempotent). */
    public final class NoSync implements AutoCloseable {
        private boolean done;

        private NoSync() {
        }

        @Override
        public void close() {
            if (!done) {
                done = true;
                if (--noSyncDepth == 0 && reducer != null) {
                    Distributed.reducerSetSync(reducer, true);
                }
            }
        }
    }

    /** The last synchronization's statistics: proof that the reduction overlapped the backward pass. */
    public ReductionStats lastStats() {
        long[] s = Distributed.reducerStats(live());
        return new ReductionStats(s[0], (int) s[1], (int) s[2], (int) s[3], s[4]);
    }

    public ProcessGroup group() {
        return group;
    }

    /** How many buckets the gradients are reduced in. */
    public int bucketCount() {
        return bucketCount;
    }

    private MemorySegment live() {
        if (reducer == null) {
            throw new IllegalStateException("this DataParallel is closed");
        }
        return reducer;
    }

    /** Removes the hooks and frees the bucket buffers; the parameters and the group stay open. */
    @Override
    public void close() {
        if (reducer != null) {
            MemorySegment r = reducer;
            reducer = null;
            Distributed.freeReducer(r);
        }
    }
}
