package org.tensorbridge.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How far apart the machine puts two threads right now: the calling thread and a partner bounce a counter (one
 * cache line) and the round trip is timed. Tens of ns: one physical core's two hardware threads (split loops
 * then share one core's execution units and gain little); under ~150 ns: two cores under one L3; hundreds:
 * across L3 domains or sockets; microseconds and up: the partner's CPU was not running (a VM's vCPU taken by
 * the host). The partner parks between measurements, so it takes no CPU from what runs in between.
 */
final class ThreadDistance {
    private final AtomicLong ball = new AtomicLong();  // odd: the partner's turn to answer
    private volatile boolean active;
    private final Thread partner = new Thread(this::answer, "thread-distance partner");

    ThreadDistance() {
        partner.setDaemon(true);
        partner.start();
    }

    private void answer() {
        while (true) {
            if (!active) {
                LockSupport.park(this);
                continue;
            }
            long b = ball.get();
            if ((b & 1) == 1) {
                ball.set(b + 1);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * The round trip in ns: the median over {@code batches} batches of {@code trips} bounces each (a batch's
     * mean), after one untimed bounce that waits for the partner to wake; the median keeps one preempted batch
     * from deciding the result.
     */
    long roundTripNanos(int batches, int trips) {
        active = true;
        LockSupport.unpark(partner);
        try {
            bounce(1);
            long[] means = new long[batches];
            for (int b = 0; b < batches; b++) {
                long t0 = System.nanoTime();
                bounce(trips);
                means[b] = (System.nanoTime() - t0) / trips;
            }
            java.util.Arrays.sort(means);
            return means[batches / 2];
        } finally {
            active = false;
        }
    }

    private void bounce(int trips) {
        for (int i = 0; i < trips; i++) {
            long v = ball.get();
            ball.set(v + 1);
            while (ball.get() != v + 2) {
                Thread.onSpinWait();
            }
        }
    }
}
