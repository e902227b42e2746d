package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.function.Executable;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.internal.Deleters;

/** Helpers shared by the bridge tests: dtype mapping, native-memory probes, message checks. */
final class BridgeTestSupport {
    private BridgeTestSupport() {
    }

    /** The libtorch dtype an NDArray dtype maps to (the enum constants share their names). */

    /** Unsigned 16/32/64-bit: only libtorch 2.3+ has them. */
    static boolean isWideUnsigned(DType dtype) {
        return dtype == DType.UINT16 || dtype == DType.UINT32 || dtype == DType.UINT64;
    }

    /** All values as doubles in C order, complex as their real part, any dtype (bool 0/1). */
    static double[] values(NDArray a) {
        try (NDArray d = a.astype(DType.FLOAT64)) {
            return d.toDoubleArray();
        }
    }

    /** A tensor's values as doubles in C order; complex tensors give [re, im] pairs. */
    static double[] values(Tensor t) {
        if (t.dtype().isComplex()) {
            try (Tensor real = Op.callTensor("aten::view_as_real", t)) {
                return real.toDoubleArray();
            }
        }
        return t.toDoubleArray();
    }

    /** Address of the array's element (0, ..., 0). */
    static long firstElementAddress(NDArray a) {
        return a.segment().address() + a.firstElementOffsetInSegment();
    }

    /** Resident set size of this process in bytes, from /proc/self/status. */
    static long rssBytes() {
        return procStatusKb("VmRSS") * 1024;
    }

    /** Peak resident set size (reset by {@link #resetPeakRss()}). */
    static long peakRssBytes() {
        return procStatusKb("VmHWM") * 1024;
    }

    /** Resets VmHWM to the current RSS (Linux 4.0+); false when not permitted. */
    static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static long procStatusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/status", e);
        }
        throw new AssertionError(field + " not in /proc/self/status");
    }

    /**
     * Waits (briefly) until {@link Deleters#pending()} is back at {@code baseline}: a tensor some other test
     * left to the Cleaner may still be finishing.
     */
    static void assertPendingBackTo(int baseline) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (Deleters.pending() != baseline && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(baseline, Deleters.pending(), "memory libtorch still holds (Deleters.pending())");
    }

    /** Asserts that {@code call} throws {@code type} with a message containing every fragment (case-insensitive). */
    static <T extends Throwable> T assertRefused(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment.toLowerCase(Locale.ROOT)),
                    "message should mention '" + fragment + "': " + e.getMessage());
        }
        return e;
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
