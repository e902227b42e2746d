package org.tensorbridge.nn;

import java.util.Arrays;
import org.tensorbridge.torch.Tensor;

/** 2-D convolution (PyTorch's nn.Conv2d, zero padding): weight [out, in/groups, kh, kw], bias [out]. */
public final class Conv2d extends Module {
    private final long[] stride;
    private final long[] padding;
    private final long[] dilation;
    private final long groups;
    private final String repr;

    public Conv2d(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, new long[] {kernelSize, kernelSize}, new long[] {1, 1}, new long[] {0, 0},
                new long[] {1, 1}, 1, true);
    }

    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
        this(inChannels, outChannels, new long[] {kernelSize, kernelSize}, new long[] {stride, stride},
                new long[] {padding, padding}, new long[] {1, 1}, 1, true);
    }

    public Conv2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding, long[] dilation,
                  long groups, boolean bias) {
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("in_channels (" + inChannels + ") and out_channels (" + outChannels
                    + ") must both be divisible by groups (" + groups + ")");
        }
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        long fanIn = inChannels / groups * kernelSize[0] * kernelSize[1];
        registerParameter("weight", F.kaimingUniformDefault(
                Tensor.empty(outChannels, inChannels / groups, kernelSize[0], kernelSize[1]), fanIn));
        if (bias) {
            registerParameter("bias", F.kaimingUniformDefault(Tensor.empty(outChannels), fanIn));
        }
        this.repr = inChannels + ", " + outChannels + ", kernel_size=" + Arrays.toString(kernelSize) + ", stride="
                + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding);
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.conv2d(input, parameter("weight"), parameter("bias"), stride, padding, dilation, groups);
    }

    @Override
    protected String extraRepr() {
        return repr;
    }
}
