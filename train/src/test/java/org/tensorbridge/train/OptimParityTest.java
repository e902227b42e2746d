package org.tensorbridge.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.Scope;
import org.tensorbridge.nn.F;
import org.tensorbridge.optim.Adam;
import org.tensorbridge.optim.ClipGrad;
import org.tensorbridge.optim.LRScheduler;
import org.tensorbridge.optim.Optimizer;
import org.tensorbridge.optim.ParamGroup;
import org.tensorbridge.optim.RMSprop;
import org.tensorbridge.optim.SGD;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/**
 * Every optimizer (and its options) and every scheduler over 20 steps from the same parameters and the same
 * loss, against torch.optim in the same test run: final parameters within 1e-6, learning rates within 1e-12.
 */
class OptimParityTest {
    static final double PARAM_TOL = 1e-6;

    record Setup(Optimizer optimizer, LRScheduler scheduler) {
    }

    record Case(String name, Function<List<Tensor>, Setup> java, String python, boolean clip) {
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("sgd", p -> new Setup(new SGD(p, 0.1), null), "opt = torch.optim.SGD(ps, lr=0.1, foreach=False)", false));
        c.add(new Case("sgd_momentum", p -> new Setup(new SGD(p, 0.05, 0.9, 0.1, 0.01, false), null),
                "opt = torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01, foreach=False)", false));
        c.add(new Case("sgd_nesterov", p -> new Setup(new SGD(p, 0.05, 0.9, 0, 0.01, true), null),
                "opt = torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True, foreach=False)", false));
        c.add(new Case("sgd_groups", p -> new Setup(SGD.withGroups(List.of(ParamGroup.of(List.of(p.get(0))),
                ParamGroup.of(List.of(p.get(1)), "lr", 0.01, "momentum", 0.5)), 0.1, 0.9, 0, 0, false), null),
                "opt = torch.optim.SGD([{'params': [ps[0]]}, {'params': [ps[1]], 'lr': 0.01, 'momentum': 0.5}], lr=0.1, momentum=0.9, foreach=False)", false));
        c.add(new Case("adam", p -> new Setup(Adam.adam(p, 0.01), null), "opt = torch.optim.Adam(ps, lr=0.01, foreach=False)", false));
        c.add(new Case("adam_wd_amsgrad", p -> new Setup(Adam.adam(List.of(ParamGroup.of(p)), 0.02, 0.8, 0.99, 1e-6, 0.1, true), null),
                "opt = torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True, foreach=False)", false));
        c.add(new Case("adamw", p -> new Setup(Adam.adamW(p, 0.01), null), "opt = torch.optim.AdamW(ps, lr=0.01, foreach=False)", false));
        c.add(new Case("adamw_groups", p -> new Setup(Adam.adamW(List.of(ParamGroup.of(List.of(p.get(0)), "weight_decay", 0.5),
                ParamGroup.of(List.of(p.get(1)), "weight_decay", 0.0, "lr", 0.003)), 0.01, 0.9, 0.999, 1e-8, 0.01, false), null),
                "opt = torch.optim.AdamW([{'params': [ps[0]], 'weight_decay': 0.5}, {'params': [ps[1]], 'weight_decay': 0.0, 'lr': 0.003}], lr=0.01, foreach=False)", false));
        c.add(new Case("sgd_foreach", p -> new Setup(SGD.withGroups(List.of(ParamGroup.of(p, "foreach", true)), 0.05, 0.9, 0.1, 0.01, false), null),
                "opt = torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01, foreach=True)", false));
        c.add(new Case("sgd_nesterov_foreach", p -> new Setup(SGD.withGroups(List.of(ParamGroup.of(p, "foreach", true)), 0.05, 0.9, 0, 0.01, true), null),
                "opt = torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True, foreach=True)", false));
        c.add(new Case("adam_foreach", p -> new Setup(Adam.adam(List.of(ParamGroup.of(p, "foreach", true)), 0.02, 0.8, 0.99, 1e-6, 0.1, false), null),
                "opt = torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, foreach=True)", false));
        c.add(new Case("adamw_foreach", p -> new Setup(Adam.adamW(List.of(ParamGroup.of(p, "foreach", true)), 0.01, 0.9, 0.999, 1e-8, 0.01, false), null),
                "opt = torch.optim.AdamW(ps, lr=0.01, foreach=True)", false));
        c.add(new Case("rmsprop", p -> new Setup(new RMSprop(p, 0.01), null), "opt = torch.optim.RMSprop(ps, lr=0.01, foreach=False)", false));
        c.add(new Case("rmsprop_centered", p -> new Setup(new RMSprop(List.of(ParamGroup.of(p)), 0.01, 0.9, 1e-7, 0.01, 0.8, true), null),
                "opt = torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-7, weight_decay=0.01, momentum=0.8, centered=True, foreach=False)", false));
        c.add(new Case("rmsprop_foreach", p -> new Setup(new RMSprop(List.of(ParamGroup.of(p, "foreach", true)), 0.01, 0.99, 1e-8, 0, 0, false), null),
                "opt = torch.optim.RMSprop(ps, lr=0.01, foreach=True)", false));
        c.add(new Case("rmsprop_centered_foreach", p -> new Setup(new RMSprop(List.of(ParamGroup.of(p, "foreach", true)), 0.01, 0.9, 1e-7, 0.01, 0.8, true), null),
                "opt = torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-7, weight_decay=0.01, momentum=0.8, centered=True, foreach=True)", false));
        c.add(new Case("clip", p -> new Setup(new SGD(p, 0.1, 0.9, 0, 0, false), null),
                "opt = torch.optim.SGD(ps, lr=0.1, momentum=0.9, foreach=False)", true));
        c.add(new Case("steplr", p -> {
            SGD o = new SGD(p, 0.1, 0.9, 0, 0, false);
            return new Setup(o, LRScheduler.stepLR(o, 5, 0.5));
        }, "opt = torch.optim.SGD(ps, lr=0.1, momentum=0.9, foreach=False)\nsched = torch.optim.lr_scheduler.StepLR(opt, 5, 0.5)", false));
        c.add(new Case("multistep", p -> {
            SGD o = new SGD(p, 0.1);
            return new Setup(o, LRScheduler.multiStepLR(o, List.of(3, 7, 7, 12), 0.3));
        }, "opt = torch.optim.SGD(ps, lr=0.1, foreach=False)\nsched = torch.optim.lr_scheduler.MultiStepLR(opt, [3, 7, 7, 12], 0.3)", false));
        c.add(new Case("cosine", p -> {
            Adam o = Adam.adamW(p, 0.05);
            return new Setup(o, LRScheduler.cosineAnnealingLR(o, 8, 0.001));
        }, "opt = torch.optim.AdamW(ps, lr=0.05, foreach=False)\nsched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 8, 0.001)", false));
        c.add(new Case("linear_warmup", p -> {
            Adam o = Adam.adam(p, 0.05);
            return new Setup(o, LRScheduler.linearLR(o, 0.25, 1.0, 6));
        }, "opt = torch.optim.Adam(ps, lr=0.05, foreach=False)\nsched = torch.optim.lr_scheduler.LinearLR(opt, 0.25, 1.0, 6)", false));
        c.add(new Case("onecycle_adam", p -> {
            Adam o = Adam.adam(p, 0.05);
            return new Setup(o, LRScheduler.oneCycleLR(o, 0.1, 20));
        }, "opt = torch.optim.Adam(ps, lr=0.05, foreach=False)\nsched = torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=20)", false));
        c.add(new Case("onecycle_sgd", p -> {
            SGD o = new SGD(p, 0.05, 0.9, 0, 0, false);
            return new Setup(o, LRScheduler.oneCycleLR(o, 0.2, 20));
        }, "opt = torch.optim.SGD(ps, lr=0.05, momentum=0.9, foreach=False)\nsched = torch.optim.lr_scheduler.OneCycleLR(opt, 0.2, total_steps=20)", false));
        return c;
    }

    static Map<String, double[]> python;
    static Map<String, double[]> java = new LinkedHashMap<>();

    static Tensor loss(Tensor x, Tensor y, Tensor w, Tensor b) {
        return F.mseLoss(F.linear(x, w, b), y).add(w.sin().sum().mul(0.1));
    }

    @BeforeAll
    static void computeBoth() {
        Torch.manualSeed(3);
        PyRef py = new PyRef();
        try (Scope outer = Scope.open()) {
            Tensor x = Tensor.randn(8, 4), y = Tensor.randn(8, 3), w0 = Tensor.randn(3, 4), b0 = Tensor.randn(3);
            py.define("X", x).define("Y", y).define("W0", w0).define("B0", b0);
            py.exec("""
                    def lossf(w, b):
                        return F.mse_loss(F.linear(X, w, b), Y) + (w.sin().sum() * 0.1)
                    """);
            for (Case c : cases()) {
                Tensor w = w0.clone().requiresGrad(true), b = b0.clone().requiresGrad(true);
                Setup s = c.java.apply(List.of(w, b));
                double[] lrs = new double[20];
                for (int step = 0; step < 20; step++) {
                    try (Scope perStep = Scope.open()) {
                        s.optimizer.zeroGrad();
                        loss(x, y, w, b).backward();
                        if (c.clip) {
                            ClipGrad.clipGradNorm(List.of(w, b), 0.5);
                        }
                        s.optimizer.step();
                        if (s.scheduler != null) {
                            s.scheduler.step();
                        }
                        lrs[step] = s.optimizer.paramGroups().get(0).lr();
                    }
                }
                s.optimizer.close();
                java.put(c.name + "|w", w.toDoubleArray());
                java.put(c.name + "|b", b.toDoubleArray());
                java.put(c.name + "|lr", lrs);
                py.exec("w = W0.clone().requires_grad_(True); b = B0.clone().requires_grad_(True); ps = [w, b]; sched = None; lrs = []");
                py.exec(c.python);
                py.exec("for step in range(20):\n"
                        + "    opt.zero_grad()\n"
                        + "    lossf(w, b).backward()\n"
                        + (c.clip ? "    torch.nn.utils.clip_grad_norm_(ps, 0.5)\n" : "")
                        + "    opt.step()\n"
                        + "    if sched is not None: sched.step()\n"
                        + "    lrs.append(opt.param_groups[0]['lr'])\n");
                py.exec("out('" + c.name + "|w', w)\nout('" + c.name + "|b', b)\nout('" + c.name + "|lr', lrs)");
            }
        }
        python = py.run();
    }

    @Test
    void optimizersAndSchedulersMatchTorchOptimOver20Steps() {
        double worst = 0;
        for (Map.Entry<String, double[]> e : java.entrySet()) {
            boolean lr = e.getKey().endsWith("|lr");
            PyRef.assertClose(e.getKey(), python.get(e.getKey()), e.getValue(), lr ? 1e-12 : PARAM_TOL);
            if (!lr) {
                worst = Math.max(worst, PyRef.maxDiff(python.get(e.getKey()), e.getValue()));
            }
        }
        System.out.println("optimizer parity: worst parameter difference after 20 steps " + worst + " over " + cases().size() + " cases");
        assertEquals(cases().size() * 3, java.size());
    }
}
