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

    /** PyTorch's _multi_tensor_rmsprop (foreach=True), without maximize. */
    @Override
    protected boolean updateForeach(ParamGroup g, List<Tensor> params, List<Tensor> grads, List<Map<String, Object>> states) {
        if (g.getBoolean("maximize")) {
            return false;
        }
        double alpha = g.getDouble("alpha");
        double momentum = g.getDouble("momentum");
        boolean centered = g.getBoolean("centered");
        double eps = g.getDouble("eps");
        List<Tensor> squareAvgs = new java.util.ArrayList<>(), gradAvgs = new java.util.ArrayList<>(), bufs = new java.util.ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Map<String, Object> state = states.get(i);
            if (!state.containsKey("square_avg")) {
                state.put("step", 0.0);
                putState(state, "square_avg", zerosLike(params.get(i)));
                if (momentum > 0) {
                    putState(state, "momentum_buffer", zerosLike(params.get(i)));
                }
                if (centered) {
                    putState(state, "grad_avg", zerosLike(params.get(i)));
                }
            }
            state.put("step", stepOf(state) + 1);
            squareAvgs.add((Tensor) state.get("square_avg"));
            if (momentum > 0) {
                bufs.add((Tensor) state.get("momentum_buffer"));
            }
            if (centered) {
                gradAvgs.add((Tensor) state.get("grad_avg"));
            }
        }
        double weightDecay = g.getDouble("weight_decay");
        if (weightDecay != 0) {
            grads = Foreach.add(grads, params, weightDecay);
        }
        Foreach.mul_(squareAvgs, alpha);
        Foreach.addcmul_(squareAvgs, grads, grads, 1 - alpha);
        List<Tensor> avg;
        if (centered) {
            Foreach.mul_(gradAvgs, alpha);
            Foreach.add_(gradAvgs, grads, 1 - alpha);
            avg = Foreach.addcmul(squareAvgs, gradAvgs, gradAvgs, -1);
            Foreach.sqrt_(avg);
        } else {
            avg = Foreach.sqrt(squareAvgs);
        }
        Foreach.addScalar_(avg, eps);
        if (momentum > 0) {
            Foreach.mul_(bufs, momentum);
            Foreach.addcdiv_(bufs, grads, avg, 1.0);
            Foreach.add_(params, bufs, -g.lr());
        } else {
            Foreach.addcdiv_(params, grads, avg, -g.lr());
        }
        return true;
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
