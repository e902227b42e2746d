package org.tensorbridge.ndarray;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import org.tensorbridge.core.Parallelism;

/**
 * Runs the parts of a large loop on a dedicated pool sized by {@link Parallelism#threads()} (not the common
 * ForkJoin pool, which user code may saturate). Loops below {@link #MIN_ELEMENTS} never use threads.
 */
final class ParallelLoops {
    private ParallelLoops() {
    }

    /**
     * Below this many elements a loop runs on the caller's thread only: a 1M-element float32 add takes ~0.1 ms,
     * about what handing half of it to another thread costs on a busy machine (measured on the 2-core VM:
     * 0.39 ms with one thread vs 0.52 ms with two, in the same run).
     */
    static final long MIN_ELEMENTS = 1L << 21;
    /** The threshold in use (tests lower it to exercise the parallel paths on small arrays). */
    static volatile long minElements = MIN_ELEMENTS;

    private static volatile ForkJoinPool pool;
    private static int poolThreads;

    @FunctionalInterface
    interface Part {
        void run(int part, int parts);
    }

    /**
     * From this many bytes of memory touched, a loop is split even below {@link #MIN_ELEMENTS}: such a loop
     * waits on memory, and each core brings its own share (the 2-core VM, 1M float64 in the same run: an add
     * 400-900 µs on one thread, 250-380 µs on two; a sum of every second element 410-520 µs vs 270-350 µs),
     * while 1M float32 adds (12 MiB) gained nothing.
     */
    static final long MIN_BYTES = 16L << 20;

    /** How many parts a loop over {@code elements} should be split into (1 = no threads). */
    static int partsFor(long elements) {
        return partsFor(elements, 0);
    }

    /**
     * How many parts a loop over {@code elements} that touches {@code bytes} of memory (all operands, each
     * element's cache line counted once) should be split into (1 = no threads).
     */
    static int partsFor(long elements, long bytes) {
        int t = Parallelism.threads();
        long min = minElements;
        if (t < 2 || (elements < min && (bytes < MIN_BYTES || elements < min / 8))
                || Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool) {
            return 1;
        }
        return (int) Math.max(1, Math.min(t, Math.max(elements / (min / 2), bytes / (MIN_BYTES / 2))));
    }

    private static synchronized ForkJoinPool pool(int threads) {
        ForkJoinPool p = pool;
        if (p == null || poolThreads != threads) {
            ForkJoinPool old = p;
            p = new ForkJoinPool(threads, fj -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(fj);
                t.setName("tensorbridge-loop-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, false);
            pool = p;
            poolThreads = threads;
            if (old != null) {
                old.shutdown();
            }
        }
        return p;
    }

    /** Runs {@code body(i, parts)} for i in [0, parts): parts 1.. on the pool, part 0 on the caller. */
    static void run(int parts, Part body) {
        if (parts <= 1) {
            body.run(0, 1);
            return;
        }
        ForkJoinPool p = pool(Parallelism.threads());
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
        for (int i = 1; i < parts; i++) {
            int part = i;
            tasks[i - 1] = p.submit(() -> body.run(part, parts));
        }
        RuntimeException failure = null;
        try {
            body.run(0, parts);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : tasks) {
            try {
                t.join();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
