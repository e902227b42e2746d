package org.tensorbridge.train;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.core.DType;
import org.tensorbridge.nn.TransformerEncoderLayer;
import org.tensorbridge.testkit.ScopePerTest;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/** The encoder layer with a causal mask and a key padding mask, against PyTorch (forward and input gradient). */
@ExtendWith(ScopePerTest.class)
class AttentionMaskTest {
    @Test
    void causalAndPaddingMasksMatchPyTorch() {
        Torch.manualSeed(12);
        try (TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.0, false, 1e-5, true, false)) {
            Tensor x = Tensor.randn(2, 4, 8).requiresGrad(true);
            Tensor causal = Tensor.ones(4, 4).to(DType.BOOL);
            causal = org.tensorbridge.torch.Op.callTensor("aten::triu", causal, 1L);
            Tensor padding = Tensor.of(new long[] {0, 0, 0, 1, 0, 0, 1, 1}, 2, 4).to(DType.BOOL);
            Tensor y = layer.forward(x, causal, padding);
            Tensor g = Tensor.randn(y.shape());
            y.backward(g, false, false);
            PyRef py = new PyRef().exec("m = nn.TransformerEncoderLayer(8, 2, 16, 0.0, batch_first=True)\nsd = collections.OrderedDict()");
            for (Map.Entry<String, Tensor> e : layer.stateDict().entrySet()) {
                py.exec("sd['" + e.getKey() + "'] = " + PyRef.literal(e.getValue()));
            }
            py.exec("m.load_state_dict(sd)").define("x", x.detach()).define("g", g)
                    .define("causal", causal).define("pad", padding).exec("""
                            x.requires_grad_(True)
                            y = m(x, src_mask=causal, src_key_padding_mask=pad)
                            y.backward(g)
                            out('y', y); out('xgrad', x.grad)
                            """);
            Map<String, double[]> expected = py.run();
            PyRef.assertClose("masked encoder output", expected.get("y"), y.toDoubleArray(), 1e-5);
            PyRef.assertClose("masked encoder input gradient", expected.get("xgrad"), x.grad().toDoubleArray(), 1e-5);
        }
    }
}
