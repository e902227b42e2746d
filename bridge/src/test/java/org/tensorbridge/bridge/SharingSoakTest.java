package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.internal.Deleters;

/**
 * Sharing in a loop leaks nothing: one million fromArray + close cycles, 200k toArray + close cycles and
 * 30k array -> tensor -> array round trips, with the resident set size (VmRSS) read after a warm-up and
 * at the end: growth under 64 MiB, {@link Deleters#pending()} back to its start.
 *
 * <p>Each soak runs in a child JVM with a small pre-touched heap and the serial collector (the test JVM's
 * G1 heap moves RSS by ±80 MiB on its own, which would drown a leak of that size); the child prints one
 * line per soak, with its timing, which this test reports.
 */
class SharingSoakTest {
    private static final long LIMIT = 64L << 20;

    /** The child: {@code SharingSoakTest$Child <soak> <warmup> <cycles>}. */
    public static final class Child {
        public static void main(String[] args) throws InterruptedException {
            String soak = args[0];
            int warmup = Integer.parseInt(args[1]);
            int cycles = Integer.parseInt(args[2]);
            try (NDArray array = NDArray.zeros(DType.FLOAT32, 256); Tensor tensor = Tensor.zeros(256)) {
                Runnable cycle = switch (soak) {
                    case "fromArray" -> () -> Bridge.fromArray(array).close();
                    case "toArray" -> () -> Bridge.toArray(tensor).close();
                    case "roundTrip" -> () -> {
                        Tensor t = Bridge.fromArray(array);
                        NDArray back = Bridge.toArray(t);
                        t.close();       // the tensor first: the array still holds the storage
                        back.close();
                    };
                    default -> throw new IllegalArgumentException(soak);
                };
                int pending0 = Deleters.pending();
                for (int i = 0; i < warmup; i++) {
                    cycle.run();
                }
                System.gc();
                long rss0 = BridgeTestSupport.rssBytes();
                long t0 = System.nanoTime();
                for (int i = 0; i < cycles; i++) {
                    cycle.run();
                }
                long nanos = System.nanoTime() - t0;
                // Memory of closed arrays goes back in the background: large arenas close on a thread of their own,
                // small ones (and the tensor handles they keep) when the GC reclaims them. Let both finish.
                if (!org.tensorbridge.ndarray.NDBuffer.awaitPendingFrees(java.time.Duration.ofSeconds(60))) {
                    throw new AssertionError("arena closes still pending after 60 s");
                }
                long deadline = System.nanoTime() + 20_000_000_000L;
                do {
                    System.gc();
                    Thread.sleep(20);
                } while (Deleters.pending() != pending0 && System.nanoTime() < deadline);
                long rss1 = BridgeTestSupport.rssBytes();
                System.out.printf("SOAK %s %d %d %d %d %d %d %d%n", soak, cycles, nanos, rss0, rss1, pending0,
                        Deleters.pending(), array.buffer().refCount());
            }
        }
    }

    private static void soak(String name, int warmup, int cycles) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Xss4m",
                "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), name, Integer.toString(warmup), Integer.toString(cycles)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            fail("soak child failed:\n" + output);
        }
        String line = output.lines().filter(l -> l.startsWith("SOAK ")).findFirst().orElseThrow(
                () -> new AssertionError("no SOAK line in:\n" + output));
        String[] f = line.split(" ");
        long n = Long.parseLong(f[2]);
        double seconds = Long.parseLong(f[3]) / 1e9;
        long rss0 = Long.parseLong(f[4]);
        long rss1 = Long.parseLong(f[5]);
        System.out.printf("SOAK %s: %d cycles in %.2f s (%.2f us/cycle); VmRSS %s -> %s (%+.1f MiB)%n", name, n, seconds,
                seconds * 1e6 / n, BridgeTestSupport.mib(rss0), BridgeTestSupport.mib(rss1), (rss1 - rss0) / 1048576.0);
        assertEquals(f[6], f[7], name + ": Deleters.pending() back to its value before the loop");
        assertEquals("1", f[8], name + ": the array's buffer count is back to 1");
        assertTrue(rss1 - rss0 < LIMIT, name + ": resident memory grew by " + BridgeTestSupport.mib(rss1 - rss0)
                + " over " + n + " cycles");
    }

    @Test
    void aMillionFromArrayCloseCyclesLeakNothing() throws Exception {
        soak("fromArray", 100_000, 1_000_000);
    }

    @Test
    void twoHundredThousandToArrayCloseCyclesLeakNothing() throws Exception {
        soak("toArray", 20_000, 200_000);
    }

    @Test
    void thirtyThousandRoundTripsLeakNothing() throws Exception {
        soak("roundTrip", 5_000, 30_000);
    }
}
