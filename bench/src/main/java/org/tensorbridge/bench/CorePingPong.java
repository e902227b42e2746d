package org.tensorbridge.bench;

import java.util.Arrays;

/**
 * How far apart the machine puts two threads, over time: a {@link ThreadDistance} sample every 250 ms. A VM
 * whose vCPUs the host moves shows a mix of levels; while both vCPUs sit on one physical core, a loop split
 * over them runs at about one core's speed. Not a benchmark against a baseline: a diagnostic for reading noisy
 * results. Usage: {@code CorePingPong [seconds=30]}.
 */
public final class CorePingPong {
    private CorePingPong() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        ThreadDistance distance = new ThreadDistance();
        long[] samples = new long[seconds * 4];
        for (int s = 0; s < samples.length; s++) {
            long t0 = System.nanoTime();
            samples[s] = distance.roundTripNanos(1, 100_000);
            Thread.sleep(Math.max(0, 250 - (System.nanoTime() - t0) / 1_000_000));  // one sample per 250 ms
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
