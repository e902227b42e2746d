package org.tensorbridge.bench;

import java.util.Arrays;

/**
 * The one timing loop every benchmark uses: warm up, then time {@code rounds} rounds of {@code reps}
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

    /** Median seconds per call over {@code rounds} rounds of {@code reps} calls, after one warm-up round. */
    public static double medianSeconds(int rounds, int reps, Action action) throws Exception {
        for (int i = 0; i < reps; i++) {
            action.run();
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
