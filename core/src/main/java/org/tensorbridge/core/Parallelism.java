package org.tensorbridge.core;

/**
 * The thread count the array layer's parallel loops use; torch's {@code Torch.setNumThreads} sets it
 * together with libtorch's intra-op threads, so one setting governs both. Default: the available
 * processors.
 */
public final class Parallelism {
    private static volatile int threads = Runtime.getRuntime().availableProcessors();

    private Parallelism() {
    }

    public static int threads() {
        return threads;
    }

    public static void setThreads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, not " + count);
        }
        threads = count;
    }
}
