package org.tensorbridge.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;

/**
 * Pooled results: a block goes back at once when its segment never left the package, and only after the
 * handed-out segment's arena is closed when it did, so a stale segment throws instead of reading the next
 * array's values.
 */
class OutputPoolTest {
    private static final long ELEMENTS = 1 << 19; // 2 MiB of float32: pooled

    private static long address(NDArray a) {
        return a.buffer().memory().address();
    }

    @Test
    void aClosedResultsBlockIsTheNextResultsWithoutWaitingForAHandshake() {
        try (NDArray x = NDArray.full(DType.FLOAT32, 1.0, ELEMENTS); NDArray y = NDArray.full(DType.FLOAT32, 2.0, ELEMENTS)) {
            assertTrue(NDBuffer.awaitPendingFrees(Duration.ofSeconds(10)), "earlier tests' background closes");
            NDArray first = x.add(y);
            long block = address(first);
            first.close();
            try (NDArray second = x.add(y)) {
                // a block that waited for a background close (a JVM-wide handshake, ~80 us) would not be back yet
                assertEquals(block, address(second), "the warm block is reused at once");
                assertEquals(3.0, second.getDouble(ELEMENTS - 1));
            }
        }
    }

    @Test
    void aHandedOutSegmentThrowsAfterTheCloseAndItsBlockWaitsForThat() {
        try (NDArray x = NDArray.full(DType.FLOAT32, 1.0, ELEMENTS); NDArray y = NDArray.full(DType.FLOAT32, 2.0, ELEMENTS)) {
            NDArray first = x.add(y);
            long block = address(first);
            MemorySegment stale = first.segment();
            assertEquals(3.0f, stale.get(ValueLayout.JAVA_FLOAT, 0));
            first.close();
            assertTrue(NDBuffer.awaitPendingFrees(Duration.ofSeconds(10)));
            assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_FLOAT, 0));
            try (NDArray second = x.mul(y)) {
                assertEquals(block, address(second), "the block came back once the segment's arena was closed");
                assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_FLOAT, 0),
                        "the stale segment never reads the next array's values");
            }
        }
    }

    @Test
    void aBlockInUseIsNeverHandedOutTwice() {
        try (NDArray x = NDArray.full(DType.FLOAT32, 1.0, ELEMENTS)) {
            try (NDArray a = x.add(1.0); NDArray b = x.add(2.0)) {
                assertNotEquals(address(a), address(b));
                assertEquals(2.0, a.getDouble(0));
                assertEquals(3.0, b.getDouble(0));
            }
        }
    }

    @Test
    void aClosedResultRefusesUseEvenThoughItsBlockIsReused() {
        try (NDArray x = NDArray.full(DType.FLOAT32, 1.0, ELEMENTS)) {
            NDArray first = x.add(1.0);
            NDBuffer buffer = first.buffer();
            first.close();
            try (NDArray second = x.add(5.0)) {
                assertThrows(IllegalStateException.class, buffer::memory);
                assertThrows(IllegalStateException.class, buffer::segment);
                assertThrows(IllegalStateException.class, () -> first.getDouble(0));
                assertEquals(6.0, second.getDouble(0));
            }
        }
    }
}
