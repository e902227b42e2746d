package org.tensorbridge.ndarray;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The loop threads: workers beside the calling thread that take parts of one split loop at a time, as an
 * OpenMP team does. A worker that finished a job spins for {@link #SPIN_NANOS} before it parks, so a burst of
 * operations hands each split over without waiting for a thread to wake (a wake-up can cost as much as a
 * whole 1M-element float32 add; bench/loop_split.sh measures what splitting gains). Parts are
 * claimed from a counter, so the caller runs every part no worker has claimed yet and never waits for a
 * wake-up, only for parts already running. One job at a time: a caller that finds the team busy (another
 * thread's loop, or a part that splits again) runs its parts alone.
 */
final class LoopTeam {
    /**
     * How long an idle worker spins before it parks: {@code tensorbridge.loopSpinMicros} (default 100; 0 parks
     * at once). Spinning costs at most this much of one core per split loop.
     */
    static final long SPIN_NANOS = Math.max(0, Long.getLong("tensorbridge.loopSpinMicros", 100)) * 1000;

    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicLong jobs = new AtomicLong();
    private volatile Job current;
    private volatile boolean retired;

    LoopTeam(int threads) {
        workers = new Worker[Math.max(0, threads - 1)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    int threads() {
        return workers.length + 1;
    }

    /** The worker threads (the caller is the team's other thread). */
    java.util.List<Thread> workers() {
        return java.util.List.of(workers);
    }

    static boolean onWorker() {
        return Thread.currentThread() instanceof Worker;
    }

    /** Runs {@code body(i, parts)} for every i in [0, parts) once, on the caller and the idle workers. */
    void run(int parts, ParallelLoops.Part body) {
        if (workers.length == 0 || !busy.compareAndSet(false, true)) {
            for (int p = 0; p < parts; p++) {
                body.run(p, parts);
            }
            return;
        }
        Job job = new Job(jobs.incrementAndGet(), body, parts);
        try {
            current = job;
            wake(0);
            job.work();
            job.await();
        } finally {
            current = null;  // drops the body's references
            busy.set(false);
        }
        job.rethrow();
    }

    /**
     * Wakes worker {@code i} if it is parked. Each worker wakes the next when it takes a job, so the caller
     * makes one wake-up call at most, whatever the team's size.
     */
    private void wake(int i) {
        if (i < workers.length && workers[i].parked) {
            LockSupport.unpark(workers[i]);
        }
    }

    /** Lets the workers end (a team of another size replaces this one). */
    void retire() {
        retired = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    private static final class Job {
        final long id;
        final ParallelLoops.Part body;
        final int parts;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;
        volatile Thread waiter;

        Job(long id, ParallelLoops.Part body, int parts) {
            this.id = id;
            this.body = body;
            this.parts = parts;
        }

        void work() {
            for (int p = next.getAndIncrement(); p < parts; p = next.getAndIncrement()) {
                try {
                    body.run(p, parts);
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                } finally {
                    if (done.incrementAndGet() == parts) {
                        Thread w = waiter;
                        if (w != null) {
                            LockSupport.unpark(w);
                        }
                    }
                }
            }
        }

        /** Waits for the parts the workers claimed: spins while they are likely short, then parks. */
        void await() {
            long until = System.nanoTime() + SPIN_NANOS;
            while (done.get() < parts && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            if (done.get() < parts) {
                waiter = Thread.currentThread();
                while (done.get() < parts) {
                    LockSupport.park(this);
                }
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        final int index;

        Worker(int index) {
            super("tensorbridge-loop-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            long spinUntil = 0;
            while (!retired) {
                Job job = current;
                if (job != null && job.id != seen) {
                    seen = job.id;
                    if (job.next.get() < job.parts) {
                        wake(index);  // workers[index] is the next one
                    }
                    job.work();
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                } else if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    Job again = current;  // a job posted before the flag was seen gets no unpark: look once more
                    if (!retired && (again == null || again.id == seen)) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }
    }
}
