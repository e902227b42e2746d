package org.tensorbridge.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.Tensor;

/**
 * Arrays over large tensor storage release it through the GC (no JVM-wide handshake per close): a stale
 * segment keeps the storage alive, and storage held only by released arrays is collected before it piles up.
 */
class HeldStorageTest {
    private static final long MIB = 1L << 20;

    @Test
    void storageHeldOnlyByReleasedArraysDoesNotPileUp() {
        // try-with-resources closes the array first, then the tensor: after that only the array's (released,
        // not yet collected) handle holds the 64 MiB. 32 rounds would keep 2 GiB without a collection.
        long before = BridgeTestSupport.rssBytes();
        long peak = before;
        for (int round = 0; round < 32; round++) {
            try (Tensor tensor = Tensor.ones(64 * MIB / 4); NDArray array = Bridge.toArray(tensor)) {
                assertEquals(1.0, array.getDouble(64 * MIB / 4 - 1));
            }
            peak = Math.max(peak, BridgeTestSupport.rssBytes());
        }
        assertTrue(peak - before < 1024 * MIB, "resident memory grew by " + BridgeTestSupport.mib(peak - before)
                + " over 32 rounds of 64 MiB tensors: storage held by released arrays piles up");
    }

    @Test
    void aStaleSegmentStillReadsTheStorageAfterEverythingIsClosed() {
        MemorySegment stale;
        try (Tensor tensor = Tensor.full(3.0, 2 * MIB / 4); NDArray array = Bridge.toArray(tensor)) {
            stale = array.segment();
        }
        // the array refuses use at once, yet the segment taken from it still reaches live memory
        for (int i = 0; i < 5; i++) {
            System.gc();
        }
        assertEquals(3.0f, stale.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 2 * MIB / 4 - 1));
    }

    @Test
    void aReleasedArrayIsRefusedAtOnce() {
        try (Tensor tensor = Tensor.zeros(MIB)) {
            NDArray array = Bridge.toArray(tensor);
            array.close();
            assertThrows(IllegalStateException.class, () -> array.getDouble(0));
        }
    }
}
