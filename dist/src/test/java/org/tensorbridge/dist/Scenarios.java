package org.tensorbridge.dist;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.GradMode;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/** What each rank runs in the multi-process tests: the same code in the test JVM (rank 0) and in the child (rank 1). */
final class Scenarios {
    static final int STEPS = 20;
    static final int PER_RANK = 16;
    static final double LR = 0.05;

    private Scenarios() {
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void expect(Tensor actual, float[] expected, String what) {
        float[] got = actual.toFloatArray();
        check(java.util.Arrays.equals(got, expected),
                what + ": expected " + java.util.Arrays.toString(expected) + ", got " + java.util.Arrays.toString(got));
    }

    /** Every collective, checked against the values it must produce on a world of 2. */
    static void collectives(ProcessGroup group) {
        int r = group.rank();
        check(group.worldSize() == 2, "world size 2");
        try (Scope scope = Scope.open()) {
            float a = r + 1;
            expect(group.allReduce(Tensor.of(new float[] {a, 2 * a}, 2)), new float[] {3, 6}, "all_reduce sum");
            expect(group.allReduce(Tensor.of(new float[] {a, 2 * a}, 2), ReduceOp.PRODUCT), new float[] {2, 8},
                    "all_reduce product");
            expect(group.allReduce(Tensor.of(new float[] {a, -a}, 2), ReduceOp.MAX), new float[] {2, -1}, "all_reduce max");
            expect(group.allReduce(Tensor.of(new float[] {a, -a}, 2), ReduceOp.MIN), new float[] {1, -2}, "all_reduce min");
            // a 2-D int64 tensor and a non-contiguous-free double one
            Tensor longs = Tensor.of(new long[] {r, 10 + r, 20 + r, 30 + r}, 2, 2);
            group.allReduce(longs);
            check(java.util.Arrays.equals(longs.toLongArray(), new long[] {1, 21, 41, 61}), "all_reduce int64");

            Tensor b = r == 1 ? Tensor.of(new float[] {7, 8, 9}, 3) : Tensor.zeros(3);
            expect(group.broadcast(b, 1), new float[] {7, 8, 9}, "broadcast from 1");

            List<Tensor> gathered = List.of(Tensor.zeros(2), Tensor.zeros(2));
            group.allGather(gathered, Tensor.of(new float[] {r, 10 * r}, 2));
            expect(gathered.get(0), new float[] {0, 0}, "all_gather[0]");
            expect(gathered.get(1), new float[] {1, 10}, "all_gather[1]");

            List<Tensor> inputs = new ArrayList<>();
            for (int j = 0; j < 2; j++) {
                inputs.add(Tensor.full(j * 10 + r, 2));
            }
            Tensor out = Tensor.zeros(2);
            group.reduceScatter(out, inputs, ReduceOp.SUM);
            float want = 2 * r * 10 + 1;  // sum over ranks q of (r*10 + q)
            expect(out, new float[] {want, want}, "reduce_scatter");

            group.barrier();

            // async: rank 1 joins 1.5 s late, so rank 0's short wait times out, and a second wait completes
            Tensor t = Tensor.of(new float[] {a}, 1);
            if (r == 1) {
                sleep(1500);
            }
            try (Work work = group.allReduceAsync(t, ReduceOp.SUM)) {
                if (r == 0) {
                    boolean timedOut = false;
                    try {
                        work.await(Duration.ofMillis(200));
                    } catch (DistTimeoutException e) {
                        timedOut = true;
                        check(e.getMessage().contains("rank 0 of 2") && e.getMessage().contains("200 ms"),
                                "timeout message names rank and timeout: " + e.getMessage());
                    }
                    check(timedOut, "a 200 ms wait on a peer 1.5 s late times out");
                }
                work.await(Duration.ofSeconds(30));
                check(work.isCompleted(), "completed after await");
            }
            expect(t, new float[] {3}, "async all_reduce");
            group.barrier();
        }
    }

    /** All-reduce, broadcast and all-gather checked on a world of any size: rank r contributes r + 1. */
    static void anyWorld(ProcessGroup group) {
        int r = group.rank();
        int n = group.worldSize();
        try (Scope scope = Scope.open()) {
            float sum = n * (n + 1) / 2f;
            expect(group.allReduce(Tensor.of(new float[] {r + 1, 2 * (r + 1)}, 2)), new float[] {sum, 2 * sum},
                    "all_reduce sum over " + n);
            Tensor b = r == n - 1 ? Tensor.of(new float[] {7, 8}, 2) : Tensor.zeros(2);
            expect(group.broadcast(b, n - 1), new float[] {7, 8}, "broadcast from " + (n - 1));
            List<Tensor> gathered = new ArrayList<>();
            for (int q = 0; q < n; q++) {
                gathered.add(Tensor.zeros(1));
            }
            group.allGather(gathered, Tensor.of(new float[] {10 * r}, 1));
            for (int q = 0; q < n; q++) {
                expect(gathered.get(q), new float[] {10 * q}, "all_gather[" + q + "]");
            }
            group.barrier();
        }
    }

    /** NCCL on 2 GPUs, rank r on cuda:r: an all-reduce, a broadcast and DataParallel's gradient average. */
    static void nccl(ProcessGroup group) {
        int r = group.rank();
        org.tensorbridge.torch.Device gpu = org.tensorbridge.torch.Device.cuda(r);
        try (Scope scope = Scope.open()) {
            expect(group.allReduce(Tensor.of(new float[] {r + 1, 10 * (r + 1)}, 2).to(gpu)), new float[] {3, 30},
                    "NCCL all_reduce");
            expect(group.broadcast(Tensor.full(r == 0 ? 7 : 0, 2).to(gpu), 0), new float[] {7, 7}, "NCCL broadcast");
            List<Tensor> params = List.of(Tensor.zeros(4).to(gpu).requiresGrad(true));
            try (DataParallel ddp = new DataParallel(group, params)) {
                ddp.backward(params.get(0).mul((double) (r + 1)).sum());  // gradients 1 and 2: the average is 1.5
                expect(params.get(0).grad(), new float[] {1.5f, 1.5f, 1.5f, 1.5f}, "NCCL gradient average");
            }
            group.barrier();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- data parallel ---------------------------------------------------------------------------------------

    /** The whole data set: STEPS batches of 2 * PER_RANK rows, identical on every process. */
    static Tensor[] data() {
        Torch.manualSeed(1234);
        Tensor x = Tensor.randn(STEPS, 2 * PER_RANK, 8);
        Tensor y = Tensor.randn(STEPS, 2 * PER_RANK, 1);
        return new Tensor[] {x, y};
    }

    /** A small MLP (8 -> 16 -> 1) as raw tensors, from a seed. */
    static List<Tensor> mlp(long seed) {
        Torch.manualSeed(seed);
        return List.of(Tensor.randn(8, 16).mul(0.3).requiresGrad(true), Tensor.zeros(16).requiresGrad(true),
                Tensor.randn(16, 1).mul(0.3).requiresGrad(true), Tensor.randn(1).requiresGrad(true));
    }

    static Tensor loss(List<Tensor> p, Tensor x, Tensor y) {
        Tensor h = x.matmul(p.get(0)).add(p.get(1)).tanh();
        return h.matmul(p.get(2)).add(p.get(3)).sub(y).pow(2).mean();
    }

    static void sgd(List<Tensor> params) {
        try (GradMode g = GradMode.disabled()) {
            for (Tensor p : params) {
                Tensor grad = p.grad();
                p.sub_(grad.mul(LR));
                p.setGrad(null);
            }
        }
    }

    /** One process on the doubled batch. */
    static List<Tensor> trainSingle() {
        List<Tensor> params = mlp(0);
        Tensor[] d = data();
        for (int s = 0; s < STEPS; s++) {
            try (Scope scope = Scope.open()) {
                loss(params, d[0].select(0, s), d[1].select(0, s)).backward();
                sgd(params);
            }
        }
        return params;
    }

    /**
     * Each rank on its half of every batch, gradients averaged by DataParallel; on odd steps the half is split in two
     * micro-batches, the first under noSync (gradient accumulation). Rank 1 starts from other parameters: the
     * initial broadcast must replace them with rank 0's.
     */
    static List<Tensor> trainParallel(ProcessGroup group, long bucketBytes) throws Exception {
        List<Tensor> params = mlp(group.rank() == 0 ? 0 : 99);
        Tensor[] d = data();
        try (DataParallel ddp = new DataParallel(group, params, bucketBytes)) {
            for (int s = 0; s < STEPS; s++) {
                try (Scope scope = Scope.open()) {
                    long from = (long) group.rank() * PER_RANK;
                    Tensor x = d[0].select(0, s).slice(0, from, from + PER_RANK, 1);
                    Tensor y = d[1].select(0, s).slice(0, from, from + PER_RANK, 1);
                    if (s % 2 == 0) {
                        ddp.backward(loss(params, x, y));
                    } else {
                        int half = PER_RANK / 2;
                        try (DataParallel.NoSync noSync = ddp.noSync()) {
                            ddp.backward(loss(params, x.slice(0, 0, half, 1), y.slice(0, 0, half, 1)).mul(0.5));
                        }
                        ddp.backward(loss(params, x.slice(0, half, PER_RANK, 1), y.slice(0, half, PER_RANK, 1)).mul(0.5));
                    }
                    checkOverlap(ddp);
                    sgd(params);
                }
            }
        }
        return params;
    }

    /** Every bucket's all-reduce was started by the hooks, the first one while gradients were still to come. */
    static void checkOverlap(DataParallel ddp) {
        DataParallel.ReductionStats stats = ddp.lastStats();
        check(stats.startedDuringBackward() == ddp.bucketCount() && stats.startedAfterBackward() == 0,
                "every bucket starts during backward: " + stats);
        check(ddp.bucketCount() == 1 || stats.gradientsPendingAtFirstStart() > 0,
                "the first bucket starts before backward has produced every gradient: " + stats);
    }

    /** Trains both ways and fails unless every parameter agrees within 1e-5. */
    static double parity(ProcessGroup group, long bucketBytes) throws Exception {
        double worst = 0;
        try (Scope scope = Scope.open()) {
            List<Tensor> parallel = trainParallel(group, bucketBytes);
            List<Tensor> single = trainSingle();
            for (int i = 0; i < single.size(); i++) {
                double diff = parallel.get(i).sub(single.get(i)).abs().max().item();
                worst = Math.max(worst, diff);
            }
            double moved = parallel.get(0).sub(mlp(0).get(0)).abs().max().item();
            check(moved > 1e-3, "training moved the parameters (" + moved + ")");
        }
        check(worst <= 1e-5, "rank " + group.rank() + ": 2-rank data parallel differs from 1 process on the doubled batch by "
                + worst);
        return worst;
    }
}
