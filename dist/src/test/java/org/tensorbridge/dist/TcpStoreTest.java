package org.tensorbridge.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The TCP rendezvous store (on libtorch 1.13 the shim's own, tensorbridge_store.hpp): worlds above 2, failures, cleanup. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpStoreTest {
    @TempDir
    Path dir;

    @Test
    void aWorldOfFourMeetsThroughTheTcpStore() throws Exception {
        int port = Child.freePort();
        List<Child> children = new ArrayList<>();
        try {
            for (int rank = 1; rank < 4; rank++) {
                children.add(Child.java(dir, "anyworld", String.valueOf(rank), "4", "tcp:127.0.0.1:" + port, "60000"));
            }
            try (ProcessGroup group = ProcessGroup.tcp("127.0.0.1", port, 0, 4, Duration.ofSeconds(60))) {
                Scenarios.anyWorld(group);
            }
            for (Child child : children) {
                assertEquals(0, child.exit(60), child.output());
            }
        } finally {
            for (Child child : children) {
                child.close();
            }
        }
    }

    @Test
    void aRankThatNeverComesFailsTheOthersWithinTheTimeoutInAWorldOfThree() throws Exception {
        int port = Child.freePort();
        try (Child child = Child.java(dir, "anyworld", "1", "3", "tcp:127.0.0.1:" + port, "3000")) {
            long start = System.nanoTime();
            DistException e = assertThrows(DistException.class,
                    () -> ProcessGroup.tcp("127.0.0.1", port, 0, 3, Duration.ofSeconds(3)).close());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis < 10_000, "took " + millis + " ms");
            assertTrue(e.getMessage().contains("not all 3 ranks arrived within 3000 ms"), e.getMessage());
            // "2/3 joined" (the shim's store, 1.13), "2/3 clients joined" (c10d's TCPStore, 2.x)
            assertTrue(e.getMessage().contains("2/3"), "says how many came: " + e.getMessage());
            assertEquals(1, child.exit(30), child.output());
            assertTrue(child.output().contains("rank 1 of 3"), child.output());
        }
    }

    @Test
    void aRankWhoseRankZeroNeverComesFailsWithinTheTimeoutNamingTheStore() throws Exception {
        int port = Child.freePort();
        long start = System.nanoTime();
        DistException e = assertThrows(DistException.class,
                () -> ProcessGroup.tcp("127.0.0.1", port, 1, 2, Duration.ofSeconds(2)).close());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 10_000, "took " + millis + " ms");
        assertTrue(e.getMessage().contains("rank 1 of 2") && e.getMessage().contains("2000 ms"), e.getMessage());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), "names the store's address: " + e.getMessage());
    }

    @Test
    void closingAGroupLeavesNoStoreSocketOrThread() throws Exception {
        List<TcpSockets.Socket> before = TcpSockets.ofThisProcess();
        int port = Child.freePort();
        try (Child child = Child.java(dir, "barrier", "1", "2", "tcp:127.0.0.1:" + port, "60000");
                ProcessGroup group = ProcessGroup.tcp("127.0.0.1", port, 0, 2, Duration.ofSeconds(60))) {
            group.barrier();
            group.barrier();
            assertEquals(0, child.exit(60), child.output());
        }
        List<TcpSockets.Socket> left = TcpSockets.newSince(before);
        assertTrue(left.isEmpty(), "sockets still open after close: " + left);
        assertEquals(List.of(), storeThreads(), "the store's threads are joined on close");
        // a failed rendezvous (nobody else comes) cleans up as well
        assertThrows(DistException.class,
                () -> ProcessGroup.tcp("127.0.0.1", Child.freePort(), 0, 2, Duration.ofMillis(500)).close());
        assertTrue(TcpSockets.newSince(before).isEmpty(), "sockets open after a failed rendezvous");
        assertEquals(List.of(), storeThreads(), "threads left after a failed rendezvous");
    }

    @Test
    void connectionsThatComeAndGoDoNotPileUpOnRankZero() throws Exception {
        int port = Child.freePort();
        try (ProcessGroup group = ProcessGroup.tcp("127.0.0.1", port, 0, 1, Duration.ofSeconds(30))) {
            for (int i = 0; i < 20; i++) {
                new java.net.Socket("127.0.0.1", port).close();  // a port scanner, or a rank that gave up
            }
            // the server closes a peer's socket once that peer has gone (at its next accept, or on close)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            List<TcpSockets.Socket> accepted;
            do {
                new java.net.Socket("127.0.0.1", port).close();
                Thread.sleep(50);
                accepted = TcpSockets.ofThisProcess().stream().filter(s -> s.port() == port && !s.listening()).toList();
            } while (accepted.size() > 3 && System.nanoTime() < deadline);
            // this rank's own connection, and at most the last two that have not been reaped yet
            assertTrue(accepted.size() <= 3, "server-side sockets still open: " + accepted);
            group.barrier();
        }
    }

    /** This process's threads named tb-store (the shim names its store server's threads so). */
    private static List<String> storeThreads() throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    if (name.equals("tb-store")) {
                        names.add(task.getFileName() + ":" + name);
                    }
                } catch (IOException e) {
                    // the thread ended while listing
                }
            }
        }
        return names;
    }
}
