package org.tensorbridge.core;

/**
 * The thread count the array layer's parallel loops use (element-wise kernels, casts, reductions on large
 * arrays); small arrays never use threads whatever the setting. Defaults to the number of available
 * processors, or the system property {@code tensorbridge.threads}. {@code Torch.setNumThreads} sets it too,
 * so one setting governs both sides.
 */
public final class Parallelism {
    private static volatile int threads = Math.max(1, Integer.getInteger("tensorbridge.threads",
            Runtime.getRuntime().availableProcessors()));

    private Parallelism() {
    }

    /** The thread count parallel loops use (at least 1). */
    public static int threads() {
        return threads;
    }

    /** Sets the thread count parallel loops use; 1 turns parallel loops off. */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + n);
        }
        threads = n;
    }
}
