package org.tensorbridge.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The JVM relies on SIGSEGV for ordinary work: compiled code's implicit null checks fault on address 0 and the
 * signal handler turns the fault into a NullPointerException; safepoints and handshakes (every GC) arm a polling
 * page that running compiled code faults on. A library loaded with libtorch that replaces the JVM's SIGSEGV
 * handler kills the process on the first such fault: Debian 13's libtorch links Open MPI, which loads UCX, whose
 * default UCX_HANDLE_ERRORS=bt aborts (exit 134). These tests provoke both kinds of fault with libtorch loaded and
 * working; under UCX's handler the JVM dies here instead of failing an assertion (measured on Debian 13 with
 * UCX_HANDLE_ERRORS=bt UCX_ERROR_SIGNALS=SEGV,BUS,ILL,FPE set by hand: "Caught signal 11 ... libucs.so.0
 * (ucs_handle_error)", the forked JVM exits with 134; with the environment left alone all tests here pass).
 */
class JvmSignalsTest {
    private static final class Box {
        int value;
    }

    // The JIT compiles this with an implicit null check: the load from a null box faults (SIGSEGV) and the JVM's
    // handler turns the fault into the NPE caught below.
    private static int read(Box box) {
        return box.value;
    }

    private static long sink;

    /** Reads every box {@code rounds} times; returns the number of NullPointerExceptions caught. */
    private static long readMany(Box[] boxes, int rounds) {
        long sum = 0;
        long npes = 0;
        for (int r = 0; r < rounds; r++) {
            for (Box box : boxes) {
                try {
                    sum += read(box);
                } catch (NullPointerException e) {
                    npes++;
                }
            }
        }
        sink += sum;
        return npes;
    }

    @Test
    void implicitNullChecksAndSafepointsWorkWithLibtorchLoaded() throws Exception {
        try (Tensor a = Tensor.ones(8, 8); Tensor b = a.matmul(a); Tensor s = b.sum()) {
            assertEquals(512.0, s.item(), "libtorch is loaded and computes");
        }
        Box[] boxes = new Box[64];
        for (int i = 0; i < boxes.length; i++) {
            if (i % 8 != 0) {
                boxes[i] = new Box();
                boxes[i].value = 1;
            }
        }
        // A hot compiled loop polls for safepoints; another thread forces safepoints and handshakes (GCs, stack
        // walks) while it runs, and a third keeps libtorch busy so its threads are alive too.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong safepoints = new AtomicLong();
        Thread forcer = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                System.gc();
                Thread.getAllStackTraces();
                safepoints.incrementAndGet();
            }
        });
        Thread torch = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                try (Tensor x = Tensor.randn(TensorOptions.DEFAULT, 64, 64); Tensor y = x.matmul(x)) {
                    y.sum().close();
                }
            }
        });
        long npes = 0;
        long deadline = System.nanoTime() + 3_000_000_000L;
        int calls = 0;
        sink = 0;
        try {
            while (System.nanoTime() < deadline || calls < 200) {
                npes += readMany(boxes, 50);
                calls++;
            }
        } finally {
            stop.set(true);
            forcer.join();
            torch.join();
        }
        assertEquals((long) calls * 50 * 8, npes, "every null read became a NullPointerException");
        assertEquals((long) calls * 50 * 56, sink, "every non-null read returned its value");
        assertTrue(safepoints.get() > 0, "safepoints were forced while compiled code ran");
    }

    /**
     * After libtorch is loaded, SIGSEGV and SIGBUS are still handled by the JVM (libjvm.so), not by a library
     * libtorch pulled in (on Debian 13 without the fix: libucs.so.0, UCX's handler).
     */
    @Test
    void theJvmStillOwnsSigsegvAfterLibtorchLoaded() throws Throwable {
        assertEquals(512.0, matmulSum(), "libtorch is loaded");
        Linker linker = Linker.nativeLinker();
        MethodHandle sigaction = linker.downcallHandle(linker.defaultLookup().find("sigaction").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        MethodHandle dladdr = linker.downcallHandle(linker.defaultLookup().find("dladdr").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        final int sigsegv = 11;
        final int sigbus = 7;
        try (Arena arena = Arena.ofConfined()) {
            for (int signal : new int[] {sigsegv, sigbus}) {
                MemorySegment old = arena.allocate(256); // struct sigaction; its first member is the handler
                assertEquals(0, (int) sigaction.invokeExact(signal, MemorySegment.NULL, old));
                MemorySegment handler = old.get(ValueLayout.ADDRESS, 0);
                MemorySegment info = arena.allocate(32); // Dl_info: dli_fname, dli_fbase, dli_sname, dli_saddr
                assertTrue((int) dladdr.invokeExact(handler, info) != 0, "signal " + signal + " handler "
                        + handler + " is in no loaded library");
                String library = info.get(ValueLayout.ADDRESS, 0).reinterpret(4096).getString(0);
                assertTrue(library.endsWith("libjvm.so"), "signal " + signal + " is handled by " + library
                        + ", not the JVM: a library loaded with libtorch replaced the JVM's handler");
            }
        }
    }

    private static double matmulSum() {
        try (Tensor a = Tensor.ones(8, 8); Tensor b = a.matmul(a); Tensor s = b.sum()) {
            return s.item();
        }
    }

    /** The library sets UCX_HANDLE_ERRORS=none in the C environment before libtorch loads, unless the user set it. */
    @Test
    void ucxErrorHandlingIsOffUnlessTheUserChoseOtherwise() throws Throwable {
        Torch.version(); // loads the shim, and so libtorch
        Linker linker = Linker.nativeLinker();
        MethodHandle getenv = linker.downcallHandle(linker.defaultLookup().find("getenv").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = (MemorySegment) getenv.invokeExact(arena.allocateFrom("UCX_HANDLE_ERRORS"));
            String user = System.getenv("UCX_HANDLE_ERRORS"); // the JVM's snapshot of the environment at start
            String now = value.equals(MemorySegment.NULL) ? null : value.reinterpret(256).getString(0);
            assertEquals(user == null ? "none" : user, now);
        }
    }
}
