package org.tensorbridge.nn;

import org.tensorbridge.core.DType;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;

/**
 * Batch normalisation over the channel dimension (PyTorch's nn.BatchNorm1d / BatchNorm2d): weight (ones),
 * bias (zeros), buffers running_mean, running_var and num_batches_tracked (int64). Training mode normalises
 * with the batch statistics and updates the running ones with {@code momentum} (0.1); a null momentum
 * averages cumulatively, as PyTorch's {@code momentum=None}.
 */
public class BatchNorm extends Module {
    private final int expectedDims[];
    private final double eps;
    private final Double momentum;
    private final long numFeatures;

    BatchNorm(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats, int... expectedDims) {
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.expectedDims = expectedDims;
        if (affine) {
            registerParameter("weight", Tensor.ones(numFeatures));
            registerParameter("bias", Tensor.zeros(numFeatures));
        }
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(numFeatures));
            registerBuffer("running_var", Tensor.ones(numFeatures));
            registerBuffer("num_batches_tracked", Tensor.zeros(TensorOptions.of(DType.INT64)));
        }
    }

    /** nn.BatchNorm1d: input [N, C] or [N, C, L]. */
    public static BatchNorm batchNorm1d(long numFeatures) {
        return new BatchNorm(numFeatures, 1e-5, 0.1, true, true, 2, 3);
    }

    /** nn.BatchNorm2d: input [N, C, H, W]. */
    public static BatchNorm batchNorm2d(long numFeatures) {
        return new BatchNorm(numFeatures, 1e-5, 0.1, true, true, 4);
    }

    public static BatchNorm batchNorm2d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        return new BatchNorm(numFeatures, eps, momentum, affine, trackRunningStats, 4);
    }

    @Override
    public Tensor forward(Tensor input) {
        boolean ok = false;
        for (int d : expectedDims) {
            ok |= input.dim() == d;
        }
        if (!ok) {
            throw new IllegalArgumentException("expected " + (expectedDims.length == 1 ? expectedDims[0] + "D" : "2D or 3D")
                    + " input (got " + input.dim() + "D input)");
        }
        Tensor tracked = buffer("num_batches_tracked");
        double factor = momentum == null ? 0.0 : momentum;
        if (isTraining() && tracked != null) {
            try (GradMode noGrad = GradMode.disabled(); Tensor one = Tensor.ones(TensorOptions.of(DType.INT64))) {
                tracked.add_(one);
            }
            if (momentum == null) {
                factor = 1.0 / tracked.itemLong();
            }
        }
        boolean useBatchStats = isTraining() || buffer("running_mean") == null;
        return F.batchNorm(input, isTraining() || !useBatchStats ? buffer("running_mean") : null,
                isTraining() || !useBatchStats ? buffer("running_var") : null,
                parameter("weight"), parameter("bias"), useBatchStats, factor, eps);
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum;
    }
}
