package org.tensorbridge.bench;

import java.util.Arrays;

/**
 * The one timing loop every benchmark uses: warm up (one round, at least 0.5 s), then time {@code rounds} rounds of {@code reps}
 * calls each and report the median per-call time, because the machines are noisy.
 */
public final class Timer {
    private Timer() {
    }

    /** A measured action; {@code run} performs one call. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    /**
     * Median seconds per call over {@code rounds} rounds of {@code reps} calls, after a warm-up of one round
     * and at least half a second, so that the JIT has compiled the path before it is measured.
     */
    public static double medianSeconds(int rounds, int reps, Action action) throws Exception {
        return medianSeconds(rounds, reps, 500_000_000L, action);
    }

    /** As {@link #medianSeconds(int, int, Action)} with a warm-up of at least {@code warmNanos} (0: one round). */
    public static double medianSeconds(int rounds, int reps, long warmNanos, Action action) throws Exception {
        long warmUntil = System.nanoTime() + warmNanos;
        int warmed = 0;
        while (warmed < reps || System.nanoTime() < warmUntil) {
            action.run();
            warmed++;
        }
        double[] perCall = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                action.run();
            }
            perCall[r] = (System.nanoTime() - start) / 1e9 / reps;
        }
        Arrays.sort(perCall);
        return perCall[rounds / 2];
    }

    /** Prints one result line in the format the bench scripts parse: {@code RESULT <name> <seconds>}. */
    public static void report(String name, double seconds) {
        System.out.printf("RESULT %s %.6e%n", name, seconds);
    }
}
