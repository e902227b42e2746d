package org.tensorbridge.bench;

import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/**
 * A 20-operator expression (matmul, add, relu, softmax, layer norm, element-wise math, sum) written twice:
 * in the natural style inside a {@link Scope}, and with every intermediate closed explicitly.
 * bench/scope_bench.py times the same expression in PyTorch; bench/scope.sh runs both and prints the ratios.
 */
public final class ScopeBench {
    private static final Op SOFTMAX = Op.of("aten::softmax.int");
    private static final Op LAYER_NORM = Op.of("aten::layer_norm");
    private static final long[] NORMALIZED = {64};

    private ScopeBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        Torch.manualSeed(0);
        Torch.setNumThreads(1);  // the Python baseline runs single-threaded too: per-op cost, not kernel parallelism
        try (Tensor x = Tensor.randn(32, 64); Tensor w1 = Tensor.randn(64, 64); Tensor b1 = Tensor.randn(64);
             Tensor w2 = Tensor.randn(64, 64); Tensor b2 = Tensor.randn(64); Tensor gamma = Tensor.ones(64);
             Tensor beta = Tensor.zeros(64)) {
            Inputs in = new Inputs(x, w1, b1, w2, b2, gamma, beta);
            double scoped = scoped(in);
            double explicit = explicit(in);
            if (scoped != explicit) {
                throw new AssertionError("the two styles disagree: " + scoped + " vs " + explicit);
            }
            System.out.printf("# expression value %.6f%n", scoped);
            Timer.report("expr20_scope", Timer.medianSeconds(rounds, reps, () -> scoped(in)));
            Timer.report("expr20_explicit", Timer.medianSeconds(rounds, reps, () -> explicit(in)));
        }
    }

    private record Inputs(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor gamma, Tensor beta) {
    }

    static double scoped(Inputs in) {
        try (Scope scope = Scope.open()) {
            Tensor h = in.x.matmul(in.w1).add(in.b1).relu().matmul(in.w2).add(in.b2);
            Tensor normed = LAYER_NORM.apply(SOFTMAX.apply(h, -1L), NORMALIZED, in.gamma, in.beta, 1e-5);
            Tensor t = normed.mul(2.0).sub(0.5).tanh();
            Tensor l = t.exp().log();
            Tensor d = l.mul(l).sqrt().add(t).clamp(-1, 1).sigmoid();
            return d.matmul(d.t()).sum().item();
        }
    }

    static double explicit(Inputs in) {
        try (Tensor a1 = in.x.matmul(in.w1); Tensor a2 = a1.add(in.b1); Tensor a3 = a2.relu();
             Tensor a4 = a3.matmul(in.w2); Tensor a5 = a4.add(in.b2); Tensor a6 = SOFTMAX.apply(a5, -1L);
             Tensor a7 = LAYER_NORM.apply(a6, NORMALIZED, in.gamma, in.beta, 1e-5); Tensor a8 = a7.mul(2.0);
             Tensor a9 = a8.sub(0.5); Tensor t = a9.tanh(); Tensor a11 = t.exp(); Tensor l = a11.log();
             Tensor a13 = l.mul(l); Tensor a14 = a13.sqrt(); Tensor a15 = a14.add(t); Tensor a16 = a15.clamp(-1, 1);
             Tensor d = a16.sigmoid(); Tensor dt = d.t(); Tensor a19 = d.matmul(dt); Tensor a20 = a19.sum()) {
            return a20.item();
        }
    }
}
