package org.tensorbridge.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Torch;
import org.tensorbridge.torch.TorchException;
import org.tensorbridge.torch.internal.Distributed;
import org.tensorbridge.torch.internal.Distributed.StoreOp;

/**
 * Every c10d::Store operation on a TCP group's store, with c10d TCPStore's semantics: the same expectations hold for
 * c10d's own TCPStore (libtorch 2.1+) and for the shim's store (1.13, tensorbridge_store.hpp).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreOperationsTest {
    private static final byte[] NONE = new byte[0];

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Distributed.StoreResult call(ProcessGroup group, StoreOp op, String key, byte[] a, byte[] b,
            long number) {
        return Distributed.store(group.handle(), op, key, a, b, number);
    }

    private static boolean ownStore() {
        String[] v = Torch.version().split("\\.");
        return Integer.parseInt(v[0]) < 2 || (Integer.parseInt(v[0]) == 2 && Integer.parseInt(v[1]) < 1);
    }

    @Test
    void setGetAddCompareSetDeleteCheckAndCount() throws Exception {
        int port = Child.freePort();
        try (ProcessGroup group = ProcessGroup.tcp("127.0.0.1", port, 0, 1, Duration.ofSeconds(30))) {
            long keys = call(group, StoreOp.NUM_KEYS, "", NONE, NONE, 0).number();
            call(group, StoreOp.SET, "a", bytes("hello"), NONE, 0);
            assertArrayEquals(bytes("hello"), call(group, StoreOp.GET, "a", NONE, NONE, 0).value());
            byte[] large = new byte[100_000];
            for (int i = 0; i < large.length; i++) {
                large[i] = (byte) (i * 31);
            }
            call(group, StoreOp.SET, "large", large, NONE, 0);
            assertArrayEquals(large, call(group, StoreOp.GET, "large", NONE, NONE, 0).value());
            call(group, StoreOp.SET, "empty", NONE, NONE, 0);
            assertArrayEquals(NONE, call(group, StoreOp.GET, "empty", NONE, NONE, 0).value());

            assertEquals(5, call(group, StoreOp.ADD, "n", NONE, NONE, 5).number());
            assertEquals(-2, call(group, StoreOp.ADD, "n", NONE, NONE, -7).number());
            assertArrayEquals(bytes("-2"), call(group, StoreOp.GET, "n", NONE, NONE, 0).value());

            // compareSet: a missing key is set only when the expected value is empty (else c10d answers the expected
            // value: PyTorch 1.13's TCPStore.compare_set('c', 'nope', 'x') gives b'nope' and sets nothing)
            assertArrayEquals(bytes("nope"), call(group, StoreOp.COMPARE_SET, "c", bytes("nope"), bytes("x"), 0).value());
            assertEquals(0, call(group, StoreOp.CHECK, "c", NONE, NONE, 0).number());
            assertArrayEquals(bytes("first"), call(group, StoreOp.COMPARE_SET, "c", NONE, bytes("first"), 0).value());
            assertArrayEquals(bytes("first"),
                    call(group, StoreOp.COMPARE_SET, "c", bytes("wrong"), bytes("second"), 0).value());
            assertArrayEquals(bytes("second"),
                    call(group, StoreOp.COMPARE_SET, "c", bytes("first"), bytes("second"), 0).value());
            assertArrayEquals(bytes("second"), call(group, StoreOp.GET, "c", NONE, NONE, 0).value());

            assertEquals(1, call(group, StoreOp.CHECK, "a", NONE, NONE, 0).number());
            assertEquals(keys + 5, call(group, StoreOp.NUM_KEYS, "", NONE, NONE, 0).number());
            assertEquals(1, call(group, StoreOp.DELETE, "a", NONE, NONE, 0).number());
            assertEquals(0, call(group, StoreOp.DELETE, "a", NONE, NONE, 0).number());
            assertEquals(0, call(group, StoreOp.CHECK, "a", NONE, NONE, 0).number());
            assertEquals(keys + 4, call(group, StoreOp.NUM_KEYS, "", NONE, NONE, 0).number());
            call(group, StoreOp.WAIT, "c", NONE, NONE, 1000);  // present: returns at once
            if (ownStore()) {
                // add() on a value that is not an integer: an error, and the store goes on (1.13's TCPStore drops
                // the connection)
                TorchException notANumber = assertThrows(TorchException.class,
                        () -> call(group, StoreOp.ADD, "c", NONE, NONE, 1));
                assertTrue(notANumber.getMessage().contains("not an integer"), notANumber.getMessage());
                assertArrayEquals(bytes("second"), call(group, StoreOp.GET, "c", NONE, NONE, 0).value());
            }
        }
    }

    /** set, get, add, compare_set, delete_key, num_keys: op, key, two arguments (hex bytes or a number). */
    private static final String[][] SEQUENCE = {
        {"set", "a", "68656c6c6f", ""}, {"get", "a", "", ""}, {"add", "n", "5", ""}, {"add", "n", "-7", ""},
        {"get", "n", "", ""}, {"compare_set", "c", "6e6f7065", "78"}, {"compare_set", "c", "", "6669727374"},
        {"compare_set", "c", "77726f6e67", "7365636f6e64"}, {"compare_set", "c", "6669727374", "7365636f6e64"},
        {"get", "c", "", ""}, {"delete_key", "c", "", ""}, {"delete_key", "c", "", ""}, {"set", "e", "", ""},
        {"get", "e", "", ""}, {"num_keys", "", "", ""},
    };

    private static final String PYTHON_SEQUENCE = """
            import datetime, sys
            import torch.distributed as dist
            args = ("127.0.0.1", int(sys.argv[1]), 1, True, datetime.timedelta(seconds=30))
            try:  # 2.4+ asks for libuv by default; Debian 13's torch has none (the shim uses the classic backend too)
                store = dist.TCPStore(*args, use_libuv=False)
            except TypeError:  # before use_libuv existed
                store = dist.TCPStore(*args)
            base = store.num_keys()
            for line in sys.argv[2:]:
                op, key, a, b = line.split(",")
                if op == "set": store.set(key, bytes.fromhex(a)); out = ""
                elif op == "get": out = store.get(key).hex()
                elif op == "add": out = str(store.add(key, int(a)))
                elif op == "compare_set": out = store.compare_set(key, bytes.fromhex(a), bytes.fromhex(b)).hex()
                elif op == "delete_key": out = str(int(store.delete_key(key)))
                elif op == "num_keys": out = str(store.num_keys() - base)
                print(line + " -> " + out)
            """;

    private static String runSequence(ProcessGroup group) {
        StringBuilder out = new StringBuilder();
        long base = call(group, StoreOp.NUM_KEYS, "", NONE, NONE, 0).number();
        java.util.HexFormat hex = java.util.HexFormat.of();
        for (String[] step : SEQUENCE) {
            String key = step[1];
            byte[] a = step[0].equals("add") ? NONE : hex.parseHex(step[2]);
            String result = switch (step[0]) {
                case "set" -> {
                    call(group, StoreOp.SET, key, a, NONE, 0);
                    yield "";
                }
                case "get" -> hex.formatHex(call(group, StoreOp.GET, key, NONE, NONE, 0).value());
                case "add" -> String.valueOf(call(group, StoreOp.ADD, key, NONE, NONE, Long.parseLong(step[2])).number());
                case "compare_set" -> hex.formatHex(
                        call(group, StoreOp.COMPARE_SET, key, a, hex.parseHex(step[3]), 0).value());
                case "delete_key" -> String.valueOf(call(group, StoreOp.DELETE, key, NONE, NONE, 0).number());
                case "num_keys" -> String.valueOf(call(group, StoreOp.NUM_KEYS, "", NONE, NONE, 0).number() - base);
                default -> throw new IllegalArgumentException(step[0]);
            };
            out.append(String.join(",", step)).append(" -> ").append(result).append('\n');
        }
        return out.toString();
    }

    @Test
    void answersAsPyTorchsTcpStoreOfTheSameRelease() throws Exception {
        Python python = Python.torch(Torch.version()).orElse(null);
        Assumptions.assumeTrue(python != null, () -> Python.noTorchReason(Torch.version()));
        String[] args = new String[SEQUENCE.length + 1];
        args[0] = String.valueOf(Child.freePort());
        for (int i = 0; i < SEQUENCE.length; i++) {
            args[i + 1] = String.join(",", SEQUENCE[i]);
        }
        String expected = python.run(PYTHON_SEQUENCE, args);
        try (ProcessGroup group = ProcessGroup.tcp("127.0.0.1", Child.freePort(), 0, 1, Duration.ofSeconds(30))) {
            assertEquals(expected, runSequence(group));
        }
    }

    @Test
    void waitsAndGetsHonourTheirTimeoutAndNameTheStore() throws Exception {
        int port = Child.freePort();
        try (ProcessGroup group = ProcessGroup.tcp("127.0.0.1", port, 0, 1, Duration.ofMillis(1500))) {
            long start = System.nanoTime();
            TorchException wait = assertThrows(TorchException.class,
                    () -> call(group, StoreOp.WAIT, "never", NONE, NONE, 300));
            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waited >= 250 && waited < 5000, "waited " + waited + " ms for a 300 ms timeout");
            start = System.nanoTime();
            TorchException get = assertThrows(TorchException.class, () -> call(group, StoreOp.GET, "never", NONE, NONE, 0));
            long got = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(got >= 1400 && got < 6000, "get waited " + got + " ms with the group's 1500 ms timeout");
            if (ownStore()) {
                assertTrue(wait.getMessage().contains("timed out after 300 ms")
                        && wait.getMessage().contains("127.0.0.1:" + port), wait.getMessage());
                assertTrue(get.getMessage().contains("timed out after 1500 ms")
                        && get.getMessage().contains("127.0.0.1:" + port), get.getMessage());
            }
            // the store still answers after timeouts
            call(group, StoreOp.SET, "later", bytes("v"), NONE, 0);
            assertArrayEquals(bytes("v"), call(group, StoreOp.GET, "later", NONE, NONE, 0).value());
        }
    }

    @Test
    void aStoreWhoseRankZeroIsStoppedFailsInsteadOfHanging(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // c10d's own TCPStore (2.1+) has its own socket timeouts; this is the shim's store's receive limit
        Assumptions.assumeTrue(ownStore(), "the shim's own store is used on libtorch before 2.1 only");
        int port = Child.freePort();
        try (Child zero = Child.java(dir, "hang", "0", "2", "tcp:127.0.0.1:" + port, "2000");
                ProcessGroup one = ProcessGroup.tcp("127.0.0.1", port, 1, 2, Duration.ofSeconds(2))) {
            one.barrier();
            zero.awaitLine("hanging", 30);
            Process stop = new ProcessBuilder("kill", "-STOP", String.valueOf(zero.process.pid())).start();
            assertEquals(0, stop.waitFor(), "kill -STOP");
            long start = System.nanoTime();
            TorchException e = assertThrows(TorchException.class, () -> call(one, StoreOp.WAIT, "never", NONE, NONE, 200));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // the store's 2 s timeout plus the 10 s grace for a reply
            assertTrue(millis >= 11_000 && millis < 20_000, "failed after " + millis + " ms: " + e.getMessage());
            assertTrue(e.getMessage().contains("no reply in time") && e.getMessage().contains("127.0.0.1:" + port),
                    e.getMessage());
            TorchException after = assertThrows(TorchException.class,
                    () -> call(one, StoreOp.SET, "k", NONE, NONE, 0));
            assertTrue(after.getMessage().contains("lost the connection"), after.getMessage());
        }
    }

    @Test
    void aWaitOnOneRankEndsWhenAnotherSetsTheKey() throws Exception {
        int port = Child.freePort();
        Duration timeout = Duration.ofSeconds(30);
        CompletableFuture<ProcessGroup> second = CompletableFuture.supplyAsync(
                () -> ProcessGroup.tcp("127.0.0.1", port, 1, 2, timeout));
        try (ProcessGroup zero = ProcessGroup.tcp("127.0.0.1", port, 0, 2, timeout);
                ProcessGroup one = second.get(60, TimeUnit.SECONDS)) {
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                call(one, StoreOp.WAIT, "go", NONE, NONE, 20_000);
                return call(one, StoreOp.GET, "go", NONE, NONE, 0).value();
            });
            Thread.sleep(300);
            assertTrue(!got.isDone(), "the wait returned before the key was set");
            call(zero, StoreOp.SET, "go", bytes("now"), NONE, 0);
            assertArrayEquals(bytes("now"), got.get(10, TimeUnit.SECONDS));
            assertEquals(3, call(one, StoreOp.ADD, "count", NONE, NONE, 3).number());
            assertEquals(4, call(zero, StoreOp.ADD, "count", NONE, NONE, 1).number());
        }
    }
}
