package org.tensorbridge.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tensorbridge.core.Scope;
import org.tensorbridge.dist.DataParallel;
import org.tensorbridge.dist.ProcessGroup;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/**
 * Data-parallel training step and all-reduce bandwidth, one rank of {@code WORLD_SIZE} (bench/ddp.sh starts them with
 * torchrun's variables). The twin of bench/ddp_bench.py (PyTorch's DistributedDataParallel): the same MLP made of
 * raw tensors (IN -> HIDDEN -> HIDDEN -> 1, tanh), batch BATCH per rank, MSE, SGD. Every rank runs the same fixed
 * number of steps (a timed loop that stops on a clock would desynchronise the ranks); rank 0 reports medians.
 * Usage: DdpBench [rounds] [reps]
 */
public final class DdpBench {
    static final int IN = 256, HIDDEN = 1024, BATCH = 64;

    private DdpBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        Torch.setNumThreads(Integer.parseInt(System.getenv().getOrDefault("TB_BENCH_THREADS", "1")));
        try (ProcessGroup group = ProcessGroup.fromEnvironment(); Scope outer = Scope.open()) {
            int world = group.worldSize();
            Torch.manualSeed(0);
            List<Tensor> params = List.of(Tensor.randn(IN, HIDDEN).mul(0.05).requiresGrad(true),
                    Tensor.zeros(HIDDEN).requiresGrad(true), Tensor.randn(HIDDEN, HIDDEN).mul(0.03).requiresGrad(true),
                    Tensor.zeros(HIDDEN).requiresGrad(true), Tensor.randn(HIDDEN, 1).mul(0.03).requiresGrad(true),
                    Tensor.zeros(1).requiresGrad(true));
            Torch.manualSeed(1 + group.rank());
            Tensor x = Tensor.randn(BATCH, IN);
            Tensor y = Tensor.randn(BATCH, 1);
            try (DataParallel ddp = new DataParallel(group, params)) {
                Timer.Action step = () -> {
                    try (Scope scope = Scope.open()) {
                        Tensor h = x.matmul(params.get(0)).add(params.get(1)).tanh();
                        h = h.matmul(params.get(2)).add(params.get(3)).tanh();
                        Tensor loss = h.matmul(params.get(4)).add(params.get(5)).sub(y).pow(2).mean();
                        ddp.backward(loss);
                        try (GradMode g = GradMode.disabled()) {
                            for (Tensor p : params) {
                                p.sub_(p.grad().mul(0.01));
                                p.setGrad(null);
                            }
                        }
                    }
                };
                report(group, "ddp_step_w" + world, median(group, rounds, reps, step));
            }
            Tensor buffer = Tensor.ones(4L << 20);  // 16 MB of float32
            double seconds = median(group, rounds, Math.max(1, reps / 2), () -> group.allReduce(buffer));
            report(group, "allreduce_16MB_w" + world, seconds);
            if (group.rank() == 0) {
                System.out.printf("# all-reduce of 16 MB over %d rank(s): %.2f GB/s (algorithm bandwidth)%n", world,
                        (4L << 22) / seconds / 1e9);
            }
        }
    }

    /** Median seconds per call over {@code rounds} rounds, every rank in lock step (a barrier before each round). */
    static double median(ProcessGroup group, int rounds, int reps, Timer.Action action) throws Exception {
        for (int i = 0; i < reps; i++) {
            action.run();  // warm-up: JIT, allocator, Gloo connections
        }
        double[] perCall = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            group.barrier();
            long start = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                action.run();
            }
            perCall[r] = (System.nanoTime() - start) / 1e9 / reps;
        }
        Arrays.sort(perCall);
        return perCall[rounds / 2];
    }

    static void report(ProcessGroup group, String name, double seconds) {
        if (group.rank() == 0) {
            Timer.report(name, seconds);
        }
    }
}
