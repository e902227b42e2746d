package org.tensorbridge.ndarray;

import org.tensorbridge.core.Parallelism;

/**
 * Splits large loops across the {@link LoopTeam} sized by {@link Parallelism#threads()} (not the common
 * ForkJoin pool, which user code may saturate); small loops never use threads.
 */
final class ParallelLoops {
    private ParallelLoops() {
    }

    /**
     * From this many elements a loop is split across the loop threads. A {@link LoopTeam} worker that is still
     * spinning takes a part at once, so a loop of a few tens of microseconds gains: bench/loop_split.sh on the
     * 2-core VM, a 256K-element float32 add 51 µs on one thread, 28 µs on two.
     */
    static final long MIN_ELEMENTS = 1L << 18;
    /** The threshold in use (tests lower it to exercise the parallel paths on small arrays). */
    static volatile long minElements = MIN_ELEMENTS;

    @FunctionalInterface
    interface Part {
        void run(int part, int parts);
    }

    /**
     * From this many bytes of memory touched, a loop is split from {@code MIN_ELEMENTS / 8} elements on: such a
     * loop waits on memory (or the L3 cache), and each core brings its own share (bench/loop_split.sh: a
     * 1M-element float32 add, 12 MiB, 184 µs on one thread, 94 µs on two).
     */
    static final long MIN_BYTES = 1L << 20;

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
                || LoopTeam.onWorker()) {
            return 1;
        }
        return (int) Math.max(1, Math.min(t, Math.max(elements / (min / 2), bytes / (MIN_BYTES / 2))));
    }

    private static volatile LoopTeam team;

    private static LoopTeam team(int threads) {
        LoopTeam t = team;
        return t != null && t.threads() == threads ? t : newTeam(threads);
    }

    private static synchronized LoopTeam newTeam(int threads) {
        LoopTeam t = team;
        if (t == null || t.threads() != threads) {
            if (t != null) {
                t.retire();
            }
            t = new LoopTeam(threads);
            team = t;
        }
        return t;
    }

    /** Runs {@code body(i, parts)} for every i in [0, parts), split across the loop threads. */
    static void run(int parts, Part body) {
        if (parts <= 1) {
            body.run(0, 1);
            return;
        }
        team(Parallelism.threads()).run(parts, body);
    }
}
