package org.tensorbridge.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.nn.Activation;
import org.tensorbridge.nn.F;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.nn.Reduction;
import org.tensorbridge.nn.Sequential;
import org.tensorbridge.optim.Adam;
import org.tensorbridge.optim.LRScheduler;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;

/**
 * Every loss (value and input gradient, each reduction) against torch.nn.functional, and a 100-step MLP
 * training run (Sequential + AdamW + cosine schedule + cross-entropy) against PyTorch's loss curve (1e-4).
 */
class LossAndTrainingParityTest {
    record Case(String name, Function<Tensor[], Tensor> java, String python) {
    }

    static Map<String, double[]> python;
    static Map<String, double[]> java = new LinkedHashMap<>();
    static int lossCases;

    @BeforeAll
    static void computeBoth() {
        Torch.manualSeed(5);
        PyRef py = new PyRef();
        try (Scope outer = Scope.open()) {
            Tensor logits = Tensor.randn(6, 4);
            Tensor classes = Tensor.of(new long[] {0, 3, 1, 1, 2, 3}, 6);
            Tensor ignored = Tensor.of(new long[] {0, -100, 1, 1, 2, 3}, 6);
            Tensor probs = F.softmax(Tensor.randn(6, 4), 1);
            Tensor weights = Tensor.of(new float[] {0.5f, 1.0f, 2.0f, 0.25f}, 4);
            Tensor pred = Tensor.randn(6, 4), target = Tensor.randn(6, 4);
            Tensor p01 = Tensor.rand(6, 4).mul(0.9).add(0.05), t01 = Tensor.rand(6, 4);
            Tensor posWeight = Tensor.of(new float[] {1.0f, 2.0f, 0.5f, 3.0f}, 4);
            Tensor ce4d = Tensor.randn(2, 3, 2, 2);
            Tensor ce4dTarget = Tensor.randint(0, 3, TensorOptions.of(DType.INT64), 2, 2, 2);
            py.define("logits", logits).define("classes", classes).define("ignored", ignored).define("probs", probs)
                    .define("weights", weights).define("pred", pred).define("target", target).define("p01", p01)
                    .define("t01", t01).define("posw", posWeight).define("ce4d", ce4d).define("ce4dt", ce4dTarget);
            List<Case> cases = new ArrayList<>();
            for (Reduction r : Reduction.values()) {
                String red = "reduction='" + r.name().toLowerCase() + "'";
                cases.add(new Case("ce_" + r, a -> F.crossEntropy(a[0], classes, null, r, -100, 0), "F.cross_entropy(i, classes, " + red + ")"));
                cases.add(new Case("ce_full_" + r, a -> F.crossEntropy(a[0], ignored, weights, r, -100, 0.1),
                        "F.cross_entropy(i, ignored, weight=weights, label_smoothing=0.1, " + red + ")"));
                cases.add(new Case("ce_probs_" + r, a -> F.crossEntropy(a[0], probs, weights, r, -100, 0.2),
                        "F.cross_entropy(i, probs, weight=weights, label_smoothing=0.2, " + red + ")"));
                cases.add(new Case("nll_" + r, a -> F.nllLoss(F.logSoftmax(a[0], 1), ignored, weights, r, -100),
                        "F.nll_loss(F.log_softmax(i, 1), ignored, weight=weights, " + red + ")"));
                cases.add(new Case("mse_" + r, a -> F.mseLoss(a[1], target, r), "F.mse_loss(j, target, " + red + ")"));
                cases.add(new Case("l1_" + r, a -> F.l1Loss(a[1], target, r), "F.l1_loss(j, target, " + red + ")"));
                cases.add(new Case("smoothl1_" + r, a -> F.smoothL1Loss(a[1], target, r, 0.5), "F.smooth_l1_loss(j, target, beta=0.5, " + red + ")"));
                cases.add(new Case("bce_" + r, a -> F.binaryCrossEntropy(a[2], t01, null, r), "F.binary_cross_entropy(k, t01, " + red + ")"));
                cases.add(new Case("bcelogits_" + r, a -> F.binaryCrossEntropyWithLogits(a[1], t01, null, posWeight, r),
                        "F.binary_cross_entropy_with_logits(j, t01, pos_weight=posw, " + red + ")"));
            }
            cases.add(new Case("ce_4d", a -> F.crossEntropy(a[3], ce4dTarget), "F.cross_entropy(l, ce4dt)"));
            cases.add(new Case("ce_default", a -> F.crossEntropy(a[0], classes), "F.cross_entropy(i, classes)"));
            lossCases = cases.size();
            for (Case c : cases) {
                Tensor[] inputs = {logits.clone().requiresGrad(true), pred.clone().requiresGrad(true), p01.clone().requiresGrad(true),
                        ce4d.clone().requiresGrad(true)};
                Tensor loss = c.java.apply(inputs);
                Tensor g = Tensor.randn(loss.shape());
                loss.backward(g, false, false);
                java.put(c.name + "|value", loss.toDoubleArray());
                for (int k = 0; k < 4; k++) {
                    Tensor grad = inputs[k].grad();
                    java.put(c.name + "|grad" + k, grad == null ? new double[0] : grad.toDoubleArray());
                }
                py.exec("i = logits.clone().requires_grad_(True); j = pred.clone().requires_grad_(True); "
                        + "k = p01.clone().requires_grad_(True); l = ce4d.clone().requires_grad_(True)");
                py.define("g", g).exec("v = " + c.python + "\nv.backward(g)\nout('" + c.name + "|value', v)");
                py.exec("for n, t in enumerate([i, j, k, l]): out('" + c.name + "|grad%d' % n, t.grad if t.grad is not None else [])");
            }

            // A 100-step MLP training run: same initial weights, same data, same schedule.
            Tensor x = Tensor.randn(64, 20);
            Tensor labels = Tensor.randint(0, 4, TensorOptions.of(DType.INT64), 64);
            py.define("x", x).define("labels", labels);
            double[] losses = new double[100];
            try (Sequential mlp = new Sequential(new Linear(20, 32), Activation.relu(), new Linear(32, 32), Activation.gelu(),
                    new Linear(32, 4))) {
                py.exec("mlp = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.GELU(), nn.Linear(32, 4))");
                py.exec("sd = collections.OrderedDict()");
                for (Map.Entry<String, Tensor> e : mlp.stateDict().entrySet()) {
                    py.exec("sd['" + e.getKey() + "'] = " + PyRef.literal(e.getValue()));
                }
                py.exec("mlp.load_state_dict(sd)");
                try (Adam opt = Adam.adamW(mlp.parameters(), 0.01)) {
                    LRScheduler sched = LRScheduler.cosineAnnealingLR(opt, 100, 0.0);
                    for (int step = 0; step < 100; step++) {
                        try (Scope perStep = Scope.open()) {
                            opt.zeroGrad();
                            Tensor loss = F.crossEntropy(mlp.forward(x), labels);
                            loss.backward();
                            opt.step();
                            sched.step();
                            losses[step] = loss.item();
                        }
                    }
                }
            }
            java.put("mlp|losses", losses);
            py.exec("""
                    opt = torch.optim.AdamW(mlp.parameters(), lr=0.01, foreach=False)
                    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 100, 0.0)
                    losses = []
                    for step in range(100):
                        opt.zero_grad()
                        loss = F.cross_entropy(mlp(x), labels)
                        loss.backward()
                        opt.step()
                        sched.step()
                        losses.append(loss.item())
                    out('mlp|losses', losses)
                    """);
        }
        python = py.run();
    }

    @Test
    void everyLossMatchesPyTorchValueAndGradient() {
        double worst = 0;
        for (Map.Entry<String, double[]> e : java.entrySet()) {
            if (!e.getKey().startsWith("mlp")) {
                PyRef.assertClose(e.getKey(), python.get(e.getKey()), e.getValue(), 1e-5);
                worst = Math.max(worst, PyRef.maxDiff(python.get(e.getKey()), e.getValue()));
            }
        }
        System.out.println("loss parity: worst difference " + worst + " over " + lossCases + " cases");
        assertEquals(lossCases * 5 + 1, java.size());
    }

    @Test
    void hundredStepMlpTrainingFollowsPyTorchsLossCurve() {
        double[] expected = python.get("mlp|losses");
        double[] actual = java.get("mlp|losses");
        PyRef.assertClose("mlp loss curve", expected, actual, 1e-4);
        System.out.println("MLP loss curve: worst difference " + PyRef.maxDiff(expected, actual) + "; loss " + actual[0] + " -> " + actual[99]);
        assertTrue(actual[99] < actual[0] * 0.5, "the MLP learns");
    }
}
