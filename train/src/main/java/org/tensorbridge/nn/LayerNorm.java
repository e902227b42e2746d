package org.tensorbridge.nn;

import java.util.Arrays;
import org.tensorbridge.torch.Tensor;

/** Layer normalisation over the trailing {@code normalizedShape} (PyTorch's nn.LayerNorm): weight ones, bias zeros. */
public final class LayerNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;

    public LayerNorm(long... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        if (elementwiseAffine) {
            registerParameter("weight", Tensor.ones(normalizedShape));
            registerParameter("bias", Tensor.zeros(normalizedShape));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.layerNorm(input, normalizedShape, parameter("weight"), parameter("bias"), eps);
    }

    @Override
    protected String extraRepr() {
        return Arrays.toString(normalizedShape) + ", eps=" + eps;
    }
}
