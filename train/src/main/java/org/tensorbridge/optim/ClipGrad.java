package org.tensorbridge.optim;

import java.util.ArrayList;
import java.util.List;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;

/** Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_). */
public final class ClipGrad {
    private static final Op VECTOR_NORM = Op.of("aten::linalg_vector_norm");
    private static final Op STACK = Op.of("aten::stack");
    private static final Op RECIPROCAL = Op.of("aten::reciprocal");
    private static final Op CLAMP_MAX = Op.of("aten::clamp_max");

    private ClipGrad() {
    }

    /**
     * Scales the gradients of {@code params} in place so that their joint {@code normType}-norm is at most
     * {@code maxNorm}; returns the norm before clipping as a double (PyTorch's algorithm: coefficient
     * {@code maxNorm / (norm + 1e-6)} clamped to 1, applied to every gradient).
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        try (GradMode noGrad = GradMode.disabled(); Scope scope = Scope.open()) {
            List<Tensor> grads = new ArrayList<>();
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    grads.add(g);
                }
            }
            if (grads.isEmpty()) {
                return 0.0;
            }
            Tensor total;
            if (Double.isInfinite(normType)) {
                List<Tensor> maxes = new ArrayList<>();
                for (Tensor g : grads) {
                    maxes.add(g.abs().max());
                }
                total = Tensor.stack(maxes, 0).max();
            } else {
                List<Tensor> norms = new ArrayList<>();
                for (Tensor g : grads) {
                    norms.add(VECTOR_NORM.apply(g, normType, null, false));
                }
                total = VECTOR_NORM.apply(STACK.apply(norms, 0L), normType, null, false);
            }
            Tensor coef = CLAMP_MAX.apply(RECIPROCAL.apply(total.add(1e-6)).mul(maxNorm), 1.0);
            for (Tensor g : grads) {
                g.mul_(coef);
            }
            return total.item();
        }
    }

    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2.0);
    }

    /** Clamps every gradient to [-clipValue, clipValue] in place. */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        try (GradMode noGrad = GradMode.disabled(); Scope scope = Scope.open()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    g.clamp_(-clipValue, clipValue);
                }
            }
        }
    }
}
