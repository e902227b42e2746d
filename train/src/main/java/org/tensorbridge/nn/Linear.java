package org.tensorbridge.nn;

import org.tensorbridge.torch.Tensor;

/** {@code y = x W^T + b} (PyTorch's nn.Linear): weight [out, in], bias [out], both U(-1/sqrt(in), 1/sqrt(in)). */
public final class Linear extends Module {
    private final long inFeatures;
    private final long outFeatures;

    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public Linear(long inFeatures, long outFeatures, boolean bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        registerParameter("weight", F.kaimingUniformDefault(Tensor.empty(outFeatures, inFeatures), inFeatures));
        if (bias) {
            registerParameter("bias", F.kaimingUniformDefault(Tensor.empty(outFeatures), inFeatures));
        }
    }

    public Tensor weight() {
        return parameter("weight");
    }

    public Tensor bias() {
        return parameter("bias");
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.linear(input, parameter("weight"), parameter("bias"));
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (parameter("bias") != null);
    }
}
