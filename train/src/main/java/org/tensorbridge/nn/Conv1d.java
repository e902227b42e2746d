package org.tensorbridge.nn;

import org.tensorbridge.torch.Tensor;

/** 1-D convolution (PyTorch's nn.Conv1d, zero padding): weight [out, in/groups, k], bias [out]. */
public final class Conv1d extends Module {
    private final long stride;
    private final long padding;
    private final long dilation;
    private final long groups;

    public Conv1d(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true);
    }

    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation,
                  long groups, boolean bias) {
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("in_channels (" + inChannels + ") and out_channels (" + outChannels
                    + ") must both be divisible by groups (" + groups + ")");
        }
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        long fanIn = inChannels / groups * kernelSize;
        registerParameter("weight", F.kaimingUniformDefault(Tensor.empty(outChannels, inChannels / groups, kernelSize), fanIn));
        if (bias) {
            registerParameter("bias", F.kaimingUniformDefault(Tensor.empty(outChannels), fanIn));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.conv1d(input, parameter("weight"), parameter("bias"), stride, padding, dilation, groups);
    }
}
