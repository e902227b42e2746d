package org.tensorbridge.optim;

import java.util.List;
import java.util.Map;
import org.tensorbridge.torch.Tensor;

/**
 * Adam and AdamW with PyTorch's algorithm (torch.optim.Adam / AdamW, single-tensor path): bias-corrected
 * moments, L2 weight decay added to the gradient (Adam) or decoupled (AdamW), amsgrad, maximize.
 * Defaults as PyTorch: betas (0.9, 0.999), eps 1e-8, weight_decay 0 (Adam) / 0.01 (AdamW).
 */
public final class Adam extends Optimizer {
    private final boolean decoupled;

    private Adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay,
                 boolean amsgrad, boolean decoupled) {
        super(groups, Map.of("lr", lr, "betas", new double[] {beta1, beta2}, "eps", eps, "weight_decay", weightDecay,
                "amsgrad", amsgrad, "maximize", false, "foreach", false, "capturable", false, "differentiable", false,
                "fused", false));
        this.decoupled = decoupled;
    }

    /** torch.optim.Adam(params, lr) with its defaults. */
    public static Adam adam(List<Tensor> params, double lr) {
        return adam(List.of(ParamGroup.of(params)), lr, 0.9, 0.999, 1e-8, 0, false);
    }

    public static Adam adam(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay,
                            boolean amsgrad) {
        return new Adam(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, false);
    }

    /** torch.optim.AdamW(params, lr) with its defaults (weight_decay 0.01). */
    public static Adam adamW(List<Tensor> params, double lr) {
        return adamW(List.of(ParamGroup.of(params)), lr, 0.9, 0.999, 1e-8, 0.01, false);
    }

    public static Adam adamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay,
                             boolean amsgrad) {
        return new Adam(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, true);
    }

    public boolean isAdamW() {
        return decoupled;
    }

    @Override
    protected void checkOptions(ParamGroup g) {
        super.checkOptions(g);
        double[] betas = g.getPair("betas");
        for (int i = 0; i < 2; i++) {
            if (betas[i] < 0 || betas[i] >= 1) {
                throw new IllegalArgumentException("Invalid beta parameter at index " + i + ": " + betas[i]);
            }
        }
        if (g.getDouble("eps") < 0) {
            throw new IllegalArgumentException("Invalid epsilon value: " + g.getDouble("eps"));
        }
    }

    /** PyTorch's _multi_tensor_adam / _multi_tensor_adamw (foreach=True), without amsgrad or maximize. */
    @Override
    protected boolean updateForeach(ParamGroup g, List<Tensor> params, List<Tensor> grads, List<Map<String, Object>> states) {
        if (g.getBoolean("amsgrad") || g.getBoolean("maximize")) {
            return false;
        }
        double lr = g.lr();
        double[] betas = g.getPair("betas");
        double beta1 = betas[0], beta2 = betas[1];
        double weightDecay = g.getDouble("weight_decay");
        java.util.List<Tensor> expAvgs = new java.util.ArrayList<>(), expAvgSqs = new java.util.ArrayList<>();
        double[] stepSize = new double[params.size()], bc2Sqrt = new double[params.size()];
        for (int i = 0; i < params.size(); i++) {
            Map<String, Object> state = states.get(i);
            if (!state.containsKey("exp_avg")) {
                state.put("step", 0.0);
                putState(state, "exp_avg", zerosLike(params.get(i)));
                putState(state, "exp_avg_sq", zerosLike(params.get(i)));
            }
            double step = stepOf(state) + 1;
            state.put("step", step);
            expAvgs.add((Tensor) state.get("exp_avg"));
            expAvgSqs.add((Tensor) state.get("exp_avg_sq"));
            stepSize[i] = lr / (1 - Math.pow(beta1, step)) * -1;
            bc2Sqrt[i] = Math.sqrt(1 - Math.pow(beta2, step));
        }
        if (weightDecay != 0) {
            if (decoupled) {
                Foreach.mul_(params, 1 - lr * weightDecay);
            } else {
                grads = Foreach.add(grads, params, weightDecay);
            }
        }
        Foreach.mul_(expAvgs, beta1);
        Foreach.add_(expAvgs, grads, 1 - beta1);
        Foreach.mul_(expAvgSqs, beta2);
        Foreach.addcmul_(expAvgSqs, grads, grads, 1 - beta2);
        List<Tensor> denom = Foreach.sqrt(expAvgSqs);
        Foreach.div_(denom, bc2Sqrt);
        denom = Foreach.addScalar(denom, g.getDouble("eps"));
        Foreach.addcdiv_(params, expAvgs, denom, stepSize);
        return true;
    }

    @Override
    protected void update(ParamGroup g, Tensor param, Tensor grad, Map<String, Object> state) {
        double lr = g.lr();
        double[] betas = g.getPair("betas");
        double beta1 = betas[0], beta2 = betas[1];
        double weightDecay = g.getDouble("weight_decay");
        boolean amsgrad = g.getBoolean("amsgrad");
        if (g.getBoolean("maximize")) {
            grad = grad.neg();
        }
        if (!state.containsKey("exp_avg")) {
            state.put("step", 0.0);
            putState(state, "exp_avg", zerosLike(param));
            putState(state, "exp_avg_sq", zerosLike(param));
            if (amsgrad) {
                putState(state, "max_exp_avg_sq", zerosLike(param));
            }
        }
        double step = stepOf(state) + 1;
        state.put("step", step);
        if (weightDecay != 0) {
            if (decoupled) {
                param.mul_(1 - lr * weightDecay);
            } else {
                grad = grad.add(param, weightDecay);
            }
        }
        Tensor expAvg = (Tensor) state.get("exp_avg");
        Tensor expAvgSq = (Tensor) state.get("exp_avg_sq");
        expAvg.mul_(beta1).add_(grad, 1 - beta1);
        expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
        Tensor denom;
        if (amsgrad) {
            Tensor maxSq = (Tensor) state.get("max_exp_avg_sq");
            maxSq.copy_(Optimizer.maximum(maxSq, expAvgSq));
            denom = maxSq.sqrt().div_(biasCorrection2Sqrt).add_(g.getDouble("eps"));
        } else {
            denom = expAvgSq.sqrt().div_(biasCorrection2Sqrt).add_(g.getDouble("eps"));
        }
        param.addcdiv_(expAvg, denom, -stepSize);
    }
}
