package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorbridge.torch.TorchOracle.Results;

/** Autograd: gradients of composite expressions vs PyTorch, accumulation, retain_graph, detach, grad mode. */
class AutogradTest {
    private static final TensorOptions GRAD = TensorOptions.DEFAULT.requiresGrad(true);
    // Plain (no-grad) copies of the inputs; each test makes its own leaves from them.
    private static Tensor x0, w0, y0, p0, g0, r0, a0, bias0;
    private static Results torch;

    private static Tensor leaf(Tensor plain) {
        return plain.clone().requiresGrad(true);
    }

    @BeforeAll
    static void computeWithPyTorch() {
        x0 = TorchOracle.random(31, DType.FLOAT32, 4, 3);
        w0 = TorchOracle.random(32, DType.FLOAT32, 3, 2);
        y0 = TorchOracle.random(33, DType.FLOAT32, 4, 2);
        p0 = TorchOracle.random(34, DType.FLOAT32, 3);
        g0 = TorchOracle.random(35, DType.FLOAT32, 3);
        r0 = TorchOracle.random(36, DType.FLOAT64, 5);
        a0 = TorchOracle.random(37, DType.FLOAT32, 2, 3);
        bias0 = TorchOracle.random(38, DType.FLOAT32, 3);
        torch = new TorchOracle()
                .input("x", x0, true).input("w", w0, true).input("y", y0)
                .input("p", p0, true).input("g", g0)
                .input("r", r0, true)
                .input("a", a0, true).input("bias", bias0, true)
                .exec("""
                        loss = ((x @ w).sigmoid() * y).sum()
                        loss.backward()
                        q = p * p * 2
                        q.backward(g, retain_graph=True)
                        p_grad_once = p.grad.clone()
                        q.backward(g, retain_graph=True)
                        loss2 = (r.tanh() * r.exp()).mean() + (r * r + 1).log().sum()
                        loss2.backward()
                        out = (a + bias).relu().pow(2).sum()
                        out.backward()
                        """)
                .expect("loss", "loss").expect("x_grad", "x.grad").expect("w_grad", "w.grad")
                .expect("p_grad_once", "p_grad_once").expect("p_grad_twice", "p.grad")
                .expect("loss2", "loss2").expect("r_grad", "r.grad")
                .expect("a_grad", "a.grad").expect("bias_grad", "bias.grad")
                .run();
    }

    @AfterAll
    static void close() {
        for (Tensor t : new Tensor[] {x0, w0, y0, p0, g0, r0, a0, bias0}) {
            t.close();
        }
    }

    @Test
    void compositeExpressionGradientsMatchPyTorch() {
        try (Tensor x = leaf(x0); Tensor w = leaf(w0); Tensor xw = x.matmul(w); Tensor s = xw.sigmoid();
             Tensor sy = s.mul(y0); Tensor loss = sy.sum()) {
            assertTrue(loss.requiresGrad());
            assertFalse(loss.isLeaf());
            assertTrue(x.isLeaf());
            assertNull(x.grad(), "no gradient before backward");
            loss.backward();
            torch.assertClose("loss", loss);
            try (Tensor gx = x.grad(); Tensor gw = w.grad()) {
                torch.assertClose("x_grad", gx);
                torch.assertClose("w_grad", gw);
                assertFalse(gx.requiresGrad());
            }
        }
    }

    @Test
    void explicitGradientWithRetainGraphAccumulates() {
        try (Tensor p = leaf(p0); Tensor pp = p.mul(p); Tensor q = pp.mul(2.0)) {
            q.backward(g0, true, false);
            try (Tensor once = p.grad()) {
                torch.assertClose("p_grad_once", once);
            }
            q.backward(g0, true, false);
            try (Tensor twice = p.grad()) {
                torch.assertClose("p_grad_twice", twice);
            }
        }
    }

    @Test
    void float64ChainMatchesPyTorch() {
        try (Tensor r = leaf(r0); Tensor th = r.tanh(); Tensor ex = r.exp(); Tensor prod = th.mul(ex);
             Tensor mean = prod.mean(); Tensor sq = r.mul(r); Tensor sq1 = sq.add(1.0); Tensor lg = sq1.log();
             Tensor lsum = lg.sum(); Tensor loss = mean.add(lsum)) {
            loss.backward();
            torch.assertClose("loss2", loss, 1e-12, 1e-12);
            try (Tensor gr = r.grad()) {
                torch.assertClose("r_grad", gr, 1e-12, 1e-12);
            }
        }
    }

    @Test
    void broadcastGradientIsReduced() {
        try (Tensor a = leaf(a0); Tensor bias = leaf(bias0); Tensor sum = a.add(bias); Tensor relu = sum.relu();
             Tensor sq = relu.pow(2.0); Tensor out = sq.sum()) {
            out.backward();
            try (Tensor ga = a.grad(); Tensor gb = bias.grad()) {
                torch.assertClose("a_grad", ga);
                torch.assertClose("bias_grad", gb);
            }
        }
    }

    @Test
    void setGradNullClearsAndSetGradSeedsAccumulation() {
        try (Tensor p = leaf(p0)) {
            for (int round = 0; round < 2; round++) {
                try (Tensor s = p.sum()) {
                    s.backward();
                }
            }
            try (Tensor grad = p.grad()) {
                assertEquals(2.0, grad.toDoubleArray()[0], "two backward passes accumulate");
            }
            p.setGrad(null);
            assertNull(p.grad(), "setGrad(null) clears the gradient, like x.grad = None");
            try (Tensor s = p.sum()) {
                s.backward();
            }
            try (Tensor grad = p.grad()) {
                assertEquals(1.0, grad.toDoubleArray()[0], "after clearing, a fresh gradient");
            }
            try (Tensor seed = Tensor.full(10.0, 3)) {
                p.setGrad(seed);
            }
            try (Tensor s = p.sum()) {
                s.backward();
            }
            try (Tensor grad = p.grad()) {
                assertEquals(11.0, grad.toDoubleArray()[2], "backward adds onto a gradient set by setGrad");
            }
        }
    }

    @Test
    void detachCutsTheGraphButSharesData() {
        try (Tensor p = leaf(p0); Tensor q = p.mul(3.0); Tensor d = q.detach()) {
            assertTrue(q.requiresGrad());
            assertFalse(d.requiresGrad());
            assertTrue(d.isLeaf());
            assertEquals(q.dataAddress(), d.dataAddress(), "detach shares storage");
            TorchOracle.assertValues("detach", q.toDoubleArray(), d.toDoubleArray(), 0, 0);
        }
    }

    @Test
    void gradModeDisabledScope() {
        assertTrue(GradMode.isEnabled());
        try (Tensor p = leaf(p0)) {
            try (GradMode scope = GradMode.disabled()) {
                assertFalse(GradMode.isEnabled());
                try (Tensor q = p.mul(2.0); Tensor s = q.sum()) {
                    assertFalse(q.requiresGrad(), "no graph is recorded under no_grad");
                    assertFalse(s.requiresGrad());
                    TorchException e = assertThrows(TorchException.class, s::backward);
                    assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
                }
                try (GradMode inner = GradMode.enabled(); Tensor q = p.mul(2.0)) {
                    assertTrue(q.requiresGrad(), "enable_grad inside no_grad records again");
                }
                assertFalse(GradMode.isEnabled(), "the inner scope restored no_grad");
                scope.close();
                scope.close();  // closing twice is harmless
                assertTrue(GradMode.isEnabled());
            }
            assertTrue(GradMode.isEnabled());
            try (Tensor q = p.mul(2.0)) {
                assertTrue(q.requiresGrad(), "recording again after the scope");
            }
        }
    }

    @Test
    void autogradErrorsAreClearAndRecoverable() {
        try (Tensor p = leaf(p0); Tensor s = p.sigmoid(); Tensor total = s.sum()) {
            total.backward();
            TorchException again = assertThrows(TorchException.class, total::backward);
            assertTrue(again.getMessage().contains("retain_graph"), again.getMessage());
        }
        try (Tensor p = leaf(p0); Tensor q = p.mul(2.0)) {
            TorchException e = assertThrows(TorchException.class, q::backward);
            assertTrue(e.getMessage().contains("only for scalar outputs"), e.getMessage());
        }
        try (Tensor ints = Tensor.arange(3)) {
            TorchException e = assertThrows(TorchException.class, () -> ints.requiresGrad(true));
            assertTrue(e.getMessage().contains("floating point"), e.getMessage());
        }
        // the library (and autograd) keeps working
        try (Tensor p = Tensor.ones(GRAD, 2); Tensor s = p.sum()) {
            s.backward();
            try (Tensor grad = p.grad()) {
                assertNotNull(grad);
                assertEquals(1.0, grad.toDoubleArray()[1]);
            }
        }
    }
}
