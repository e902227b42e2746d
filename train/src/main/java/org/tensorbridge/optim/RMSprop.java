package org.tensorbridge.optim;

import java.util.List;
import java.util.Map;
import org.tensorbridge.torch.Tensor;

/**
 * RMSprop with PyTorch's algorithm (torch.optim.RMSprop): defaults lr 0.01, alpha 0.99, eps 1e-8,
 * weight_decay 0, momentum 0, centered false.
 */
public final class RMSprop extends Optimizer {
    public RMSprop(List<Tensor> params, double lr) {
        this(List.of(ParamGroup.of(params)), lr, 0.99, 1e-8, 0, 0, false);
    }

    public RMSprop(List<ParamGroup> groups, double lr, double alpha, double eps, double weightDecay, double momentum,
                   boolean centered) {
        super(groups, Map.of("lr", lr, "alpha", alpha, "eps", eps, "weight_decay", weightDecay, "momentum", momentum,
                "centered", centered, "maximize", false, "foreach", false, "differentiable", false));
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, Map<String, Object> state) {
        double alpha = g.getDouble("alpha");
        double momentum = g.getDouble("momentum");
        boolean centered = g.getBoolean("centered");
        if (g.getBoolean("maximize")) {
            grad = grad.neg();
        }
        if (!state.containsKey("square_avg")) {
            state.put("step", 0.0);
            putState(state, "square_avg", zerosLike(param));
            if (momentum > 0) {
                putState(state, "momentum_buffer", zerosLike(param));
            }
            if (centered) {
                putState(state, "grad_avg", zerosLike(param));
            }
        }
        state.put("step", stepOf(state) + 1);
        double weightDecay = g.getDouble("weight_decay");
        if (weightDecay != 0) {
            grad = grad.add(param, weightDecay);
        }
        Tensor squareAvg = (Tensor) state.get("square_avg");
        squareAvg.mul_(alpha).addcmul_(grad, grad, 1 - alpha);
        Tensor avg;
        if (centered) {
            Tensor gradAvg = (Tensor) state.get("grad_avg");
            gradAvg.mul_(alpha).add_(grad, 1 - alpha);
            avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt().add_(g.getDouble("eps"));
        } else {
            avg = squareAvg.sqrt().add_(g.getDouble("eps"));
        }
        if (momentum > 0) {
            Tensor buf = (Tensor) state.get("momentum_buffer");
            buf.mul_(momentum).addcdiv_(grad, avg, 1.0);
            param.add_(buf, -g.lr());
        } else {
            param.addcdiv_(grad, avg, -g.lr());
        }
    }
}
