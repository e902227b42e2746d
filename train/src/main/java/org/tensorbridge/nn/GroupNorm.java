package org.tensorbridge.nn;

import org.tensorbridge.torch.Tensor;

/** Group normalisation (PyTorch's nn.GroupNorm): weight ones, bias zeros, per channel. */
public final class GroupNorm extends Module {
    private final long numGroups;
    private final double eps;

    public GroupNorm(long numGroups, long numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    public GroupNorm(long numGroups, long numChannels, double eps, boolean affine) {
        if (numChannels % numGroups != 0) {
            throw new IllegalArgumentException("num_channels (" + numChannels + ") must be divisible by num_groups (" + numGroups + ")");
        }
        this.numGroups = numGroups;
        this.eps = eps;
        if (affine) {
            registerParameter("weight", Tensor.ones(numChannels));
            registerParameter("bias", Tensor.zeros(numChannels));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.groupNorm(input, numGroups, parameter("weight"), parameter("bias"), eps);
    }
}
