package org.tensorbridge.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Where a group's sockets are, as the kernel reports them (/proc/net/tcp*): loopback for local runs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ListenAddressTest {
    @TempDir
    Path dir;

    @Test
    void theTcpStoreListensOnTheMasterAddressOnly() throws Exception {
        int port = Child.freePort();
        List<TcpSockets.Socket> before = TcpSockets.ofThisProcess();
        try (Child child = Child.java(dir, "barrier", "1", "2", "tcp:127.0.0.1:" + port, "60000");
                ProcessGroup group = ProcessGroup.tcp("127.0.0.1", port, 0, 2, Duration.ofSeconds(60))) {
            group.barrier();
            List<TcpSockets.Socket> opened = TcpSockets.newSince(before);
            List<TcpSockets.Socket> store = opened.stream().filter(s -> s.listening() && s.port() == port).toList();
            assertEquals(1, store.size(), "the store listens on port " + port + ": " + opened);
            // 2.1+: c10d's TCPStore on a socket the shim bound; 1.13: the shim's own store (tensorbridge_store.hpp)
            assertTrue(store.get(0).isLoopback(), "loopback only, not every interface: " + store);
            assertTrue(ProcessGroup.storeListensOnMasterAddressOnly());
            List<TcpSockets.Socket> others = opened.stream().filter(s -> !store.contains(s)).toList();
            assertFalse(others.isEmpty(), "the store's and Gloo's connections: " + opened);
            assertTrue(others.stream().allMatch(TcpSockets.Socket::isLoopback), "all on loopback: " + others);
            group.barrier();
            assertEquals(0, child.exit(60), child.output());
        }
    }

    @Test
    void aFileStoreFromTheEnvironmentOpensNoStorePortAndGlooStaysOnLoopback() throws Exception {
        Path store = dir.resolve("store");
        int port = Child.freePort();
        List<TcpSockets.Socket> before = TcpSockets.ofThisProcess();
        try (Child child = Child.java(dir, "barrier", "1", "2", "file:" + store, "60000");
                ProcessGroup group = ProcessGroup.fromEnvironment(Map.of("MASTER_ADDR", "127.0.0.1", "MASTER_PORT",
                        String.valueOf(port), "RANK", "0", "WORLD_SIZE", "2", ProcessGroup.STORE_FILE_VARIABLE,
                        store.toString()), Duration.ofSeconds(60))) {
            group.barrier();
            List<TcpSockets.Socket> opened = TcpSockets.newSince(before);
            // no store socket at all; Gloo's own listener (2.x keeps one per device) is on loopback like the rest
            assertTrue(opened.stream().noneMatch(s -> s.port() == port), "nothing on MASTER_PORT: " + opened);
            assertFalse(opened.isEmpty(), "Gloo's connections to the other rank: " + opened);
            assertTrue(opened.stream().allMatch(TcpSockets.Socket::isLoopback), "all on loopback: " + opened);
            group.barrier();
            assertEquals(0, child.exit(60), child.output());
        }
    }
}
