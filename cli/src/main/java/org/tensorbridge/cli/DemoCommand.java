package org.tensorbridge.cli;

import org.tensorbridge.core.DType;

import java.io.PrintStream;
import org.tensorbridge.bridge.Bridge;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDRandom;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;

/**
 * {@code tensorbridge demo}: the main job until the data and training layers land. On the best device
 * (CUDA when usable, else CPU) it trains a logistic-regression classifier with autograd and plain SGD on
 * the built-in dataset — two Gaussian blobs prepared in Java from a fixed seed and shared with libtorch
 * without a copy — and prints loss and accuracy.
 */
final class DemoCommand implements Main.Command {
    private static final int SAMPLES = 4096;
    private static final int FEATURES = 16;

    @Override
    public int run(String[] args, PrintStream out) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Device device = Device.best();
        out.println("tensorbridge demo: libtorch " + Torch.version() + " on " + device);
        TensorOptions options = TensorOptions.of(DType.FLOAT32).device(device);
        Torch.manualSeed(7);
        try (Blobs data = Blobs.generate(options);
             Tensor w = Tensor.zeros(options.requiresGrad(true), FEATURES, 1);
             Tensor b = Tensor.zeros(options.requiresGrad(true), 1)) {
            double learningRate = 0.5;
            double firstLoss = Double.NaN;
            double loss = Double.NaN;
            for (int step = 1; step <= steps; step++) {
                try (Tensor logits = data.x.matmul(w).add(b);
                     Tensor lossTensor = binaryCrossEntropy(logits, data.y)) {
                    lossTensor.backward();
                    loss = lossTensor.item();
                }
                if (step == 1) {
                    firstLoss = loss;
                }
                sgdStep(w, learningRate);
                sgdStep(b, learningRate);
                if (step % Math.max(1, steps / 10) == 0 || step == 1) {
                    out.printf("step %4d  loss %.5f%n", step, loss);
                }
            }
            double accuracy = accuracy(data, w, b);
            out.printf("final loss %.5f (from %.5f), training accuracy %.2f%%%n", loss, firstLoss, accuracy * 100);
            return loss < firstLoss && accuracy > 0.9 ? 0 : 1;
        }
    }

    // mean(softplus(z) - y*z), the numerically stable form of binary cross-entropy with logits.
    private static Tensor binaryCrossEntropy(Tensor logits, Tensor targets) {
        try (Tensor softplus = org.tensorbridge.torch.Op.callTensor("aten::softplus", logits);
             Tensor yz = targets.mul(logits);
             Tensor perSample = softplus.sub(yz)) {
            return perSample.mean();
        }
    }

    private static void sgdStep(Tensor parameter, double learningRate) {
        try (GradMode noGrad = GradMode.disabled(); Tensor grad = parameter.grad(); Tensor step = grad.mul(-learningRate)) {
            parameter.addInPlace(step);
            parameter.setGrad(null);
        }
    }

    private static double accuracy(Blobs data, Tensor w, Tensor b) {
        try (GradMode noGrad = GradMode.disabled();
             Tensor logits = data.x.matmul(w).add(b);
             Tensor predicted = logits.gt(0.0);
             Tensor truth = data.y.gt(0.5);
             Tensor correct = predicted.eq(truth);
             Tensor asFloat = correct.to(DType.FLOAT32);
             Tensor mean = asFloat.mean()) {
            return mean.item();
        }
    }

    /**
     * Two overlapping Gaussian blobs in FEATURES dimensions, centred at -0.5 and +0.5 (labels 0 and 1),
     * prepared in Java as NDArrays from a fixed seed and shared with libtorch without a copy.
     */
    private record Blobs(Tensor x, Tensor y) implements AutoCloseable {
        static Blobs generate(TensorOptions options) {
            NDRandom random = new NDRandom(7);
            try (NDArray normal = random.normal(0, 1, SAMPLES, FEATURES);
                 NDArray noise = normal.astype(DType.FLOAT32);
                 NDArray classes = random.integers(0, 2, SAMPLES, 1);
                 NDArray labels = classes.astype(DType.FLOAT32);
                 NDArray centres = labels.sub(0.5);
                 NDArray features = noise.add(centres);
                 Tensor x = Bridge.fromArray(features);
                 Tensor y = Bridge.fromArray(labels)) {
                return new Blobs(x.to(options.device()), y.to(options.device()));
            }
        }

        @Override
        public void close() {
            x.close();
            y.close();
        }
    }

    @Override
    public String summary() {
        return "train a logistic-regression classifier on a built-in dataset with autograd (CUDA when usable)";
    }
}
