package org.tensorbridge.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far apart the machine puts two threads, over time: two threads bounce a counter (one cache line) and
 * each 250 ms sample gives the round trip in ns. On one physical core's two hardware threads it takes a few
 * tens of ns, across cores sharing an L3 cache under ~100 ns, across L3 domains or sockets several hundred. A
 * VM whose vCPUs the host moves shows a mix; then data one loop thread wrote sits in another L3 than the
 * other thread's, and split loops slow down for as long as that placement lasts. Not a benchmark against a
 * baseline: a diagnostic for reading noisy results. Usage: {@code CorePingPong [seconds=30]}.
 */
public final class CorePingPong {
    private CorePingPong() {
    }

    private static final AtomicLong BALL = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        Thread partner = new Thread(() -> {
            for (long v = 1; ; v += 2) {
                while (BALL.get() != v) {
                    Thread.onSpinWait();
                }
                BALL.set(v + 1);
            }
        }, "ping-pong partner");
        partner.setDaemon(true);
        partner.start();
        long[] samples = new long[seconds * 4];
        long v = 0;
        for (int s = 0; s < samples.length; s++) {
            int trips = 100_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < trips; i++) {
                BALL.set(v + 1);
                while (BALL.get() != v + 2) {
                    Thread.onSpinWait();
                }
                v += 2;
            }
            long took = System.nanoTime() - t0;
            samples[s] = took / trips;
            Thread.sleep(Math.max(0, 250 - took / 1_000_000));  // one sample per 250 ms
        }
        System.out.println("# round trip between two threads, ns, one sample per 250 ms:");
        System.out.println(Arrays.toString(samples));
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        long min = sorted[0];
        long far = Arrays.stream(samples).filter(t -> t > 3 * min).count();
        System.out.printf("min %d ns, median %d ns, max %d ns; samples above 3x the min: %d of %d%n", min,
                sorted[sorted.length / 2], sorted[sorted.length - 1], far, samples.length);
    }
}
