package org.tensorbridge.optim;

import java.util.List;
import java.util.Map;
import org.tensorbridge.torch.Tensor;

/**
 * Stochastic gradient descent with PyTorch's algorithm (torch.optim.SGD): weight decay, momentum with
 * dampening, Nesterov, maximize. Options: lr, momentum (0), dampening (0), weight_decay (0), nesterov (false),
 * maximize (false).
 */
public final class SGD extends Optimizer {
    public SGD(List<Tensor> params, double lr) {
        this(lr, 0, 0, 0, false, List.of(ParamGroup.of(params)));
    }

    public SGD(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        this(lr, momentum, dampening, weightDecay, nesterov, List.of(ParamGroup.of(params)));
    }

    /** With parameter groups; their own options override these defaults. */
    public static SGD withGroups(List<ParamGroup> groups, double lr, double momentum, double dampening, double weightDecay,
                                 boolean nesterov) {
        return new SGD(lr, momentum, dampening, weightDecay, nesterov, groups);
    }

    private SGD(double lr, double momentum, double dampening, double weightDecay, boolean nesterov, List<ParamGroup> groups) {
        super(groups, Map.of("lr", lr, "momentum", momentum, "dampening", dampening, "weight_decay", weightDecay,
                "nesterov", nesterov, "maximize", false, "foreach", false, "differentiable", false));
    }

    @Override
    protected void checkOptions(ParamGroup g) {
        super.checkOptions(g);
        if (g.getBoolean("nesterov") && (g.getDouble("momentum") <= 0 || g.getDouble("dampening") != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }
    }

    /** PyTorch's _multi_tensor_sgd (foreach=True), without maximize. */
    @Override
    protected boolean updateForeach(ParamGroup g, List<Tensor> params, List<Tensor> grads, List<Map<String, Object>> states) {
        if (g.getBoolean("maximize")) {
            return false;
        }
        double weightDecay = g.getDouble("weight_decay");
        double momentum = g.getDouble("momentum");
        double dampening = g.getDouble("dampening");
        if (weightDecay != 0) {
            grads = Foreach.add(grads, params, weightDecay);
        }
        if (momentum != 0) {
            List<Tensor> bufs = new java.util.ArrayList<>();
            boolean all = true;
            for (Map<String, Object> s : states) {
                all &= s.containsKey("momentum_buffer");
            }
            if (all) {
                for (Map<String, Object> s : states) {
                    bufs.add((Tensor) s.get("momentum_buffer"));
                }
                Foreach.mul_(bufs, momentum);
                Foreach.add_(bufs, grads, 1 - dampening);
            } else {
                for (int i = 0; i < states.size(); i++) {
                    Tensor buf = (Tensor) states.get(i).get("momentum_buffer");
                    if (buf == null) {
                        buf = grads.get(i).clone().detach();
                        putState(states.get(i), "momentum_buffer", buf);
                    } else {
                        buf.mul_(momentum).add_(grads.get(i), 1 - dampening);
                    }
                    bufs.add(buf);
                }
            }
            grads = g.getBoolean("nesterov") ? Foreach.add(grads, bufs, momentum) : bufs;
        }
        Foreach.add_(params, grads, -g.lr());
        return true;
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, Map<String, Object> state) {
        double weightDecay = g.getDouble("weight_decay");
        double momentum = g.getDouble("momentum");
        Tensor d = g.getBoolean("maximize") ? grad.neg() : grad;
        if (weightDecay != 0) {
            d = d.add(param, weightDecay);
        }
        if (momentum != 0) {
            Tensor buf = (Tensor) state.get("momentum_buffer");
            if (buf == null) {
                buf = d.clone().detach();
                putState(state, "momentum_buffer", buf);
            } else {
                buf.mul_(momentum).add_(d, 1 - g.getDouble("dampening"));
            }
            d = g.getBoolean("nesterov") ? d.add(buf, momentum) : buf;
        }
        param.add_(d, -g.lr());
    }
}
