package org.tensorbridge.bench;

import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.nn.Activation;
import org.tensorbridge.nn.F;
import org.tensorbridge.nn.Linear;
import org.tensorbridge.nn.Sequential;
import org.tensorbridge.optim.Adam;
import org.tensorbridge.torch.Autocast;
import org.tensorbridge.torch.DeviceType;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;

/**
 * One MLP training step (784-512-512-10, batch 256, cross-entropy, AdamW with a tiny lr so that the weights and gradients stay in the normal float range: zero_grad, forward, loss, backward,
 * step) in fp32 and under bfloat16 autocast on the CPU. bench/train_bench.py times the same step in PyTorch;
 * bench/train.sh runs both and prints the ratios.
 */
public final class TrainBench {
    private TrainBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Torch.manualSeed(0);
        Torch.setNumThreads(threads);
        try (Scope data = Scope.open();
             Sequential mlp = new Sequential(new Linear(784, 512), Activation.relu(), new Linear(512, 512), Activation.relu(),
                     new Linear(512, 10));
             Adam opt = Adam.adamW(mlp.parameters(), 1e-6)) {
            Tensor x = Tensor.randn(256, 784);
            Tensor y = Tensor.randint(0, 10, TensorOptions.of(DType.INT64), 256);
            step(mlp, opt, x, y, false);
            Timer.report("mlp_step_fp32", Timer.medianSeconds(rounds, reps, () -> step(mlp, opt, x, y, false)));
            Timer.report("mlp_step_bf16_autocast", Timer.medianSeconds(rounds, reps, () -> step(mlp, opt, x, y, true)));
        }
        // A small MLP (64-64-10, batch 32), where the framework's per-step overhead, not the kernels, dominates.
        try (Scope data = Scope.open();
             Sequential small = new Sequential(new Linear(64, 64), Activation.relu(), new Linear(64, 10));
             Adam opt = Adam.adamW(small.parameters(), 1e-6)) {
            Tensor x = Tensor.randn(32, 64);
            Tensor y = Tensor.randint(0, 10, TensorOptions.of(DType.INT64), 32);
            step(small, opt, x, y, false);
            Timer.report("small_mlp_step_fp32", Timer.medianSeconds(rounds, reps * 50, () -> step(small, opt, x, y, false)));
        }
    }

    static double step(Sequential mlp, Adam opt, Tensor x, Tensor y, boolean bf16) {
        try (Scope step = Scope.open()) {
            opt.zeroGrad();
            Tensor loss;
            if (bf16) {
                try (Autocast amp = Autocast.enable(DeviceType.CPU, DType.BFLOAT16)) {
                    loss = F.crossEntropy(mlp.forward(x), y);
                }
            } else {
                loss = F.crossEntropy(mlp.forward(x), y);
            }
            loss.backward();
            opt.step();
            return 0;
        }
    }
}
