package org.tensorbridge.cli;

import java.io.PrintStream;
import java.util.List;
import org.tensorbridge.bridge.Bridge;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDRandom;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;

/**
 * {@code tensorbridge demo [STEPS]}: the main job until the data and training layers land. On the best
 * device (CUDA when usable, else CPU) it trains a logistic-regression classifier with autograd and plain
 * SGD on the built-in dataset — two Gaussian blobs prepared in Java from a fixed seed and shared with
 * libtorch without a copy — and prints loss and accuracy. Written in the natural style: each step runs in
 * a scope, so no temporary is named and none outlives its step.
 */
final class DemoCommand implements Main.Command {
    private static final int SAMPLES = 4096;
    private static final int FEATURES = 16;
    private static final String USAGE = "usage: tensorbridge demo [STEPS]   (default 200 training steps)";

    @Override
    public int run(String[] args, PrintStream out) {
        int steps;
        try {
            steps = parseSteps(args);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(USAGE);
            return 2;
        }
        if (steps < 0) {
            out.println(USAGE);
            return 0;
        }
        Device device = Device.best();
        out.println("tensorbridge demo: libtorch " + Torch.version() + " on " + device);
        TensorOptions options = TensorOptions.of(DType.FLOAT32).device(device);
        Torch.manualSeed(7);
        try (Scope run = Scope.open()) {
            Tensor[] data = blobs(device);
            Tensor x = data[0];
            Tensor y = data[1];
            Tensor w = Tensor.zeros(options.requiresGrad(true), FEATURES, 1);
            Tensor b = Tensor.zeros(options.requiresGrad(true), 1);
            double learningRate = 0.5;
            double firstLoss = Double.NaN;
            double loss = Double.NaN;
            for (int step = 1; step <= steps; step++) {
                try (Scope perStep = Scope.open()) {
                    Tensor lossTensor = binaryCrossEntropy(x.matmul(w).add(b), y);
                    lossTensor.backward();
                    loss = lossTensor.item();
                    sgdStep(List.of(w, b), learningRate);
                }
                if (step == 1) {
                    firstLoss = loss;
                }
                if (step % Math.max(1, steps / 10) == 0 || step == 1) {
                    out.printf("step %4d  loss %.5f%n", step, loss);
                }
            }
            double accuracy = accuracy(x, y, w, b);
            out.printf("final loss %.5f (from %.5f), training accuracy %.2f%%, unclosed tensors %d%n", loss, firstLoss,
                    accuracy * 100, Tensor.unclosedCount());
            return loss < firstLoss && accuracy > 0.9 ? 0 : 1;
        }
    }

    /** STEPS, or -1 for --help; throws with the reason for anything else. */
    private static int parseSteps(String[] args) {
        if (args.length == 0) {
            return 200;
        }
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            return -1;
        }
        if (args.length > 1) {
            throw new IllegalArgumentException("demo takes at most one argument, got " + args.length);
        }
        try {
            int steps = Integer.parseInt(args[0]);
            if (steps < 1) {
                throw new IllegalArgumentException("STEPS must be at least 1, not " + steps);
            }
            return steps;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("STEPS must be a whole number, not '" + args[0] + "'");
        }
    }

    // mean(softplus(z) - y*z), the numerically stable form of binary cross-entropy with logits.
    private static Tensor binaryCrossEntropy(Tensor logits, Tensor targets) {
        return Op.callTensor("aten::softplus", logits).sub(targets.mul(logits)).mean();
    }

    private static void sgdStep(List<Tensor> parameters, double learningRate) {
        try (GradMode noGrad = GradMode.disabled()) {
            for (Tensor parameter : parameters) {
                parameter.add_(parameter.grad(), -learningRate);
                parameter.setGrad(null);
            }
        }
    }

    private static double accuracy(Tensor x, Tensor y, Tensor w, Tensor b) {
        try (Scope scope = Scope.open(); GradMode noGrad = GradMode.disabled()) {
            return x.matmul(w).add(b).gt(0.0).eq(y.gt(0.5)).to(DType.FLOAT32).mean().item();
        }
    }

    /**
     * Two overlapping Gaussian blobs in FEATURES dimensions, centred at -0.5 and +0.5 (labels 0 and 1),
     * prepared in Java as NDArrays from a fixed seed and shared with libtorch without a copy, then moved to
     * {@code device} (features, labels), in the caller's scope.
     */
    private static Tensor[] blobs(Device device) {
        Scope caller = Scope.current();
        try (Scope scope = Scope.open()) {
            NDRandom random = new NDRandom(7);
            NDArray labels = random.integers(0, 2, SAMPLES, 1).astype(DType.FLOAT32);
            NDArray features = random.normal(0, 1, SAMPLES, FEATURES).astype(DType.FLOAT32).add(labels.sub(0.5));
            Tensor x = Bridge.fromArray(features).to(device);
            Tensor y = Bridge.fromArray(labels).to(device);
            return new Tensor[] {scope.keep(x), scope.keep(y)};
        }
    }

    @Override
    public String summary() {
        return "train a logistic-regression classifier on a built-in dataset with autograd (CUDA when usable)";
    }
}
