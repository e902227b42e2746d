package org.tensorbridge.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.nn.Activation;
import org.tensorbridge.nn.BatchNorm;
import org.tensorbridge.nn.Conv1d;
import org.tensorbridge.nn.Conv2d;
import org.tensorbridge.nn.Embedding;
import org.tensorbridge.nn.GroupNorm;
import org.tensorbridge.nn.LayerNorm;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.nn.Module;
import org.tensorbridge.nn.Pool;
import org.tensorbridge.nn.Sequential;
import org.tensorbridge.testkit.ScopePerTest;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;

/**
 * Every layer's forward and backward against PyTorch from the same weights and inputs: PyTorch builds the
 * same layer, loads our state dict, and computes output, input gradient, parameter gradients and (after the
 * forward) buffers; all within 1e-5 in float32.
 */
@ExtendWith(ScopePerTest.class)
class LayerParityTest {
    static final double TOL = 1e-5;

    record Case(String name, Supplier<Module> java, String python, long[] inputShape, boolean train, boolean integerInput) {
    }

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("linear", () -> new Linear(5, 3), "nn.Linear(5, 3)", new long[] {4, 5}, true, false));
        c.add(new Case("linear_nobias", () -> new Linear(5, 3, false), "nn.Linear(5, 3, bias=False)", new long[] {2, 4, 5}, true, false));
        c.add(new Case("conv2d", () -> new Conv2d(3, 4, 3, 1, 1), "nn.Conv2d(3, 4, 3, stride=1, padding=1)", new long[] {2, 3, 6, 6}, true, false));
        c.add(new Case("conv2d_s2", () -> new Conv2d(3, 4, new long[] {3, 2}, new long[] {2, 1}, new long[] {0, 1}, new long[] {1, 1}, 1, true),
                "nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(0, 1))", new long[] {2, 3, 7, 5}, true, false));
        c.add(new Case("conv1d", () -> new Conv1d(3, 4, 3), "nn.Conv1d(3, 4, 3)", new long[] {2, 3, 8}, true, false));
        c.add(new Case("bn2d_train", () -> BatchNorm.batchNorm2d(3), "nn.BatchNorm2d(3)", new long[] {4, 3, 5, 5}, true, false));
        c.add(new Case("bn2d_eval", () -> BatchNorm.batchNorm2d(3), "nn.BatchNorm2d(3)", new long[] {4, 3, 5, 5}, false, false));
        c.add(new Case("bn1d_train", () -> BatchNorm.batchNorm1d(4), "nn.BatchNorm1d(4)", new long[] {6, 4}, true, false));
        c.add(new Case("layernorm", () -> new LayerNorm(6), "nn.LayerNorm(6)", new long[] {3, 6}, true, false));
        c.add(new Case("groupnorm", () -> new GroupNorm(2, 4), "nn.GroupNorm(2, 4)", new long[] {2, 4, 3, 3}, true, false));
        c.add(new Case("embedding", () -> new Embedding(10, 4, 0), "nn.Embedding(10, 4, padding_idx=0)", new long[] {2, 3}, true, true));
        c.add(new Case("relu", Activation::relu, "nn.ReLU()", new long[] {2, 3, 4}, true, false));
        c.add(new Case("gelu", Activation::gelu, "nn.GELU()", new long[] {2, 3, 4}, true, false));
        c.add(new Case("gelu_tanh", Activation::geluTanh, "nn.GELU(approximate='tanh')", new long[] {2, 3, 4}, true, false));
        c.add(new Case("silu", Activation::silu, "nn.SiLU()", new long[] {2, 3, 4}, true, false));
        c.add(new Case("tanh", Activation::tanh, "nn.Tanh()", new long[] {2, 3, 4}, true, false));
        c.add(new Case("sigmoid", Activation::sigmoid, "nn.Sigmoid()", new long[] {2, 3, 4}, true, false));
        c.add(new Case("softmax", () -> Activation.softmax(1), "nn.Softmax(dim=1)", new long[] {2, 3, 4}, true, false));
        c.add(new Case("logsoftmax", () -> Activation.logSoftmax(-1), "nn.LogSoftmax(dim=-1)", new long[] {2, 3, 4}, true, false));
        c.add(new Case("flatten", Activation::flatten, "nn.Flatten()", new long[] {2, 3, 4}, true, false));
        c.add(new Case("maxpool", () -> Pool.maxPool2d(2), "nn.MaxPool2d(2)", new long[] {2, 3, 6, 6}, true, false));
        c.add(new Case("maxpool_s1p1", () -> Pool.maxPool2d(3, 1, 1), "nn.MaxPool2d(3, stride=1, padding=1)", new long[] {1, 2, 5, 5}, true, false));
        c.add(new Case("avgpool", () -> Pool.avgPool2d(2), "nn.AvgPool2d(2)", new long[] {2, 3, 6, 6}, true, false));
        c.add(new Case("adaptive", () -> Pool.adaptiveAvgPool2d(2, 3), "nn.AdaptiveAvgPool2d((2, 3))", new long[] {2, 3, 7, 8}, true, false));
        c.add(new Case("dropout_eval", () -> new org.tensorbridge.nn.Dropout(0.3), "nn.Dropout(0.3)", new long[] {3, 4}, false, false));
        c.add(new Case("sequential", () -> new Sequential(new Linear(6, 8), Activation.relu(), new Linear(8, 3), Activation.tanh()),
                "nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3), nn.Tanh())", new long[] {5, 6}, true, false));
        c.add(new Case("cnn", () -> new Sequential(new Conv2d(1, 4, 3), BatchNorm.batchNorm2d(4), Activation.relu(), Pool.maxPool2d(2),
                Activation.flatten(), new Linear(4 * 3 * 3, 5)),
                "nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 5))",
                new long[] {3, 1, 8, 8}, true, false));
        c.add(new Case("mha", () -> new org.tensorbridge.nn.MultiheadAttention(8, 2, 0.0, true),
                "AttnSelf(nn.MultiheadAttention(8, 2, batch_first=True))", new long[] {3, 5, 8}, true, false));
        c.add(new Case("encoder_post", () -> new org.tensorbridge.nn.TransformerEncoderLayer(8, 2, 16, 0.0, false, 1e-5, true, false),
                "nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True)", new long[] {3, 5, 8}, true, false));
        c.add(new Case("encoder_pre_gelu_seqfirst", () -> new org.tensorbridge.nn.TransformerEncoderLayer(8, 4, 12, 0.0, true, 1e-6, false, true),
                "nn.TransformerEncoderLayer(8, 4, 12, 0.0, activation='gelu', layer_norm_eps=1e-6, norm_first=True)",
                new long[] {5, 2, 8}, true, false));
        return c;
    }

    static Map<String, double[]> python;
    static Map<String, Map<String, double[]>> java = new LinkedHashMap<>();

    @BeforeAll
    static void computeBoth() {
        Torch.manualSeed(11);
        PyRef py = new PyRef().exec("""
                class AttnSelf(nn.Module):
                    def __init__(self, attn):
                        super().__init__()
                        self.attn = attn
                    def forward(self, x):
                        return self.attn(x, x, x, need_weights=False)[0]
                    def state_dict(self, *a, **k):
                        return self.attn.state_dict(*a, **k)
                    def load_state_dict(self, sd, strict=True):
                        return self.attn.load_state_dict(sd, strict)
                    def named_parameters(self, *a, **k):
                        return self.attn.named_parameters(*a, **k)
                """);
        try (Scope scope = Scope.open()) {
            for (Case c : cases()) {
                Map<String, double[]> results = new LinkedHashMap<>();
                try (Module m = c.java.get()) {
                    m.train(c.train);
                    // Non-trivial BatchNorm statistics and affine parameters, so eval mode tests something.
                    Map<String, Tensor> state = m.stateDict();
                    for (Map.Entry<String, Tensor> e : state.entrySet()) {
                        if (e.getKey().endsWith("running_var") || e.getKey().endsWith("weight") && e.getValue().dim() == 1
                                && !(m instanceof Linear)) {
                            e.getValue().copy_(Tensor.rand(e.getValue().shape()).add(0.5));
                        } else if (e.getKey().endsWith("running_mean") || e.getKey().endsWith("bias") && e.getValue().dim() == 1) {
                            e.getValue().copy_(Tensor.randn(e.getValue().shape()).mul(0.3));
                        }
                    }
                    Tensor x = c.integerInput ? Tensor.randint(0, 10, TensorOptions.of(DType.INT64), c.inputShape)
                            : Tensor.randn(c.inputShape).requiresGrad(true);
                    py.exec("m = " + c.python + "\nsd = collections.OrderedDict()");
                    for (Map.Entry<String, Tensor> e : state.entrySet()) {
                        py.exec("sd['" + e.getKey() + "'] = " + PyRef.literal(e.getValue()));
                    }
                    py.exec("m.load_state_dict(sd, strict=True)\nm.train(" + (c.train ? "True" : "False") + ")");
                    py.exec("x = " + PyRef.literal(x) + (c.integerInput ? "" : ".requires_grad_(True)"));
                    Tensor y = m.forward(x);
                    Tensor g = Tensor.randn(y.shape());
                    y.backward(g, false, false);
                    py.define("g", g).exec("y = m(x)\ny.backward(g)");
                    results.put("y", y.toDoubleArray());
                    py.exec("out('" + c.name + "|y', y)");
                    if (!c.integerInput) {
                        results.put("xgrad", x.grad().toDoubleArray());
                        py.exec("out('" + c.name + "|xgrad', x.grad)");
                    }
                    for (Map.Entry<String, Tensor> p : m.namedParameters().entrySet()) {
                        results.put("grad." + p.getKey(), p.getValue().grad().toDoubleArray());
                        py.exec("out('" + c.name + "|grad." + p.getKey() + "', dict(m.named_parameters())['" + p.getKey() + "'].grad)");
                    }
                    for (Map.Entry<String, Tensor> b : m.namedBuffers().entrySet()) {
                        results.put("buffer." + b.getKey(), b.getValue().toDoubleArray());
                        py.exec("out('" + c.name + "|buffer." + b.getKey() + "', dict(m.named_buffers())['" + b.getKey() + "'])");
                    }
                    py.exec("out('" + c.name + "|keys', [len(m.state_dict())])");
                    results.put("keys", new double[] {m.stateDict().size()});
                }
                java.put(c.name, results);
            }
        }
        python = py.run();
    }

    @Test
    void everyLayerMatchesPyTorchForwardAndBackward() {
        double worst = 0;
        for (Map.Entry<String, Map<String, double[]>> c : java.entrySet()) {
            for (Map.Entry<String, double[]> r : c.getValue().entrySet()) {
                String key = c.getKey() + "|" + r.getKey();
                PyRef.assertClose(key, python.get(key), r.getValue(), TOL);
                worst = Math.max(worst, PyRef.maxDiff(python.get(key), r.getValue()));
            }
        }
        System.out.println("layer parity: worst relative difference " + worst + " over " + java.size() + " cases");
        assertEquals(cases().size(), java.size());
    }
}
