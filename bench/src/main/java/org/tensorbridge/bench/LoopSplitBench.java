package org.tensorbridge.bench;

import org.tensorbridge.core.DType;
import org.tensorbridge.core.Parallelism;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDRandom;

/**
 * What splitting a loop across the loop threads gains: a float32 add (result closed) of 64K, 256K and 1M
 * elements on one thread and on all of them, back to back (the team's workers stay hot between calls); then
 * the sum of 16M float64 (128 MB, read from memory, not cache), which shows whether one core already reads as
 * fast as the machine's memory lets all of them. bench/loop_split.sh runs NumPy's single-threaded add and sum
 * beside it.
 */
public final class LoopSplitBench {
    private LoopSplitBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        int all = Parallelism.threads();
        NDRandom rng = new NDRandom(7);
        System.out.printf("# java %s, loop threads %d%n", Runtime.version(), all);
        for (long n : new long[] {1L << 16, 1L << 18, 1L << 20}) {
            try (NDArray x = rng.random(DType.FLOAT32, n); NDArray y = rng.random(DType.FLOAT32, n)) {
                int reps = (int) Math.max(50, (1L << 26) / n);
                String name = "add_f32_" + (n >> 10) + "K";
                Parallelism.setThreads(1);
                Timer.report(name + "_1thread", Timer.medianSeconds(rounds, reps, () -> x.add(y).close()));
                Parallelism.setThreads(all);
                Timer.report(name + "_threads", Timer.medianSeconds(rounds, reps, () -> x.add(y).close()));
            }
        }
        try (NDArray x = rng.random(DType.FLOAT64, 1L << 24)) {
            Parallelism.setThreads(1);
            Timer.report("sum_f64_16M_1thread", Timer.medianSeconds(rounds, 20, () -> x.sum().close()));
            Parallelism.setThreads(all);
            Timer.report("sum_f64_16M_threads", Timer.medianSeconds(rounds, 20, () -> x.sum().close()));
        }
    }
}
