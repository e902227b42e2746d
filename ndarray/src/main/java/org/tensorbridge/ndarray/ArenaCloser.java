package org.tensorbridge.ndarray;

import java.lang.foreign.Arena;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closes shared arenas off the caller's thread. Closing a shared arena makes the JVM handshake with every
 * thread (about 100 µs here, whatever the size), which would dominate closing a small array or an array
 * over a tensor. Buffers are marked freed first, so the array API refuses them at once; the memory itself
 * stays valid until the background close, so a stale segment never reads freed memory. When the queue
 * is long, the caller closes inline, which bounds the memory awaiting release.
 */
final class ArenaCloser {
    private static final System.Logger LOG = System.getLogger(ArenaCloser.class.getName());
    private static final int MAX_PENDING = 1024;
    private static final LinkedBlockingQueue<Runnable> QUEUE = new LinkedBlockingQueue<>();
    private static final AtomicInteger PENDING = new AtomicInteger();

    static {
        Thread closer = Thread.ofPlatform().daemon().name("tensorbridge-arena-closer").unstarted(ArenaCloser::drain);
        closer.start();
    }

    private ArenaCloser() {
    }

    /** Closes {@code arena} soon, then runs {@code then} (may be null); never throws. */
    static void close(Arena arena, Runnable then) {
        Runnable job = () -> {
            closeNow(arena);
            if (then != null) {
                then.run();
            }
        };
        if (PENDING.incrementAndGet() > MAX_PENDING) {
            PENDING.decrementAndGet();
            job.run();
        } else {
            QUEUE.add(job);
        }
    }

    /** How many arenas wait to be closed (for tests and diagnostics). */
    static int pending() {
        return PENDING.get();
    }

    /** Waits until every arena queued so far is closed, or the timeout passes; true when none is left. */
    static boolean awaitEmpty(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (PENDING.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
        return true;
    }

    private static void drain() {
        while (true) {
            try {
                Runnable job = QUEUE.take();
                try {
                    job.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "could not return an array's memory", e);
                }
                PENDING.decrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeNow(Arena arena) {
        try {
            arena.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "could not close an array's arena", e);
        }
    }
}
