package org.tensorbridge.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDBuffer;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Tensor;

/**
 * Arrays over tensor storage hold one share of it and give it back at their close, as {@code tensor.numpy()}'s
 * reference goes with Python's refcount — no collection involved — while a segment taken from one can never
 * reach the storage after it is gone. Storage that Java allocated (a wrapped segment) shows when libtorch frees
 * it: its deleter runs.
 */
class TensorMemoryTest {
    private static final int N = 1 << 18;  // 1 MiB of float32

    /** A tensor over Java memory whose deleter counts into {@code freed}; the memory lives as long as the test. */
    private static Tensor tensorOverJavaMemory(Arena arena, AtomicInteger freed) {
        MemorySegment data = arena.allocate((long) N * 4, 64);
        data.setAtIndex(ValueLayout.JAVA_FLOAT, N - 1, 7f);
        return Tensor.wrap(data, DType.FLOAT32, new long[] {N}, new long[] {1}, 0, Device.CPU, freed::incrementAndGet);
    }

    @Test
    void theStorageGoesBackAtTheArraysCloseWithoutACollection() {
        AtomicInteger freed = new AtomicInteger();
        try (Arena arena = Arena.ofConfined()) {
            Tensor tensor = tensorOverJavaMemory(arena, freed);
            NDArray array = Bridge.toArray(tensor);
            tensor.close();
            assertEquals(0, freed.get(), "the open array holds the storage after the tensor's close");
            assertEquals(7.0, array.getDouble(N - 1));
            array.close();
            assertEquals(1, freed.get(), "the storage must go back at the array's close, not at a later collection");
        }
    }

    @Test
    void aSegmentTakenFromTheArrayThrowsAfterTheCloseAndTheStorageWaitsForThat() {
        AtomicInteger freed = new AtomicInteger();
        try (Arena arena = Arena.ofConfined()) {
            Tensor tensor = tensorOverJavaMemory(arena, freed);
            NDArray array = Bridge.toArray(tensor);
            MemorySegment stale = array.segment();
            assertEquals(7f, stale.getAtIndex(ValueLayout.JAVA_FLOAT, N - 1));
            tensor.close();
            array.close();
            // the segment's arena is closed off-thread (a JVM-wide handshake); the storage goes back after that
            assertTrue(NDBuffer.awaitPendingFrees(Duration.ofSeconds(10)));
            assertThrows(IllegalStateException.class, () -> stale.getAtIndex(ValueLayout.JAVA_FLOAT, 0),
                    "a segment of a closed array must not reach the storage");
            assertEquals(1, freed.get(), "the storage goes back once the segment's arena is closed");
        }
    }

    @Test
    void aClosedArrayIsRefusedAtOnceAndItsViewsKeepTheStorage() {
        AtomicInteger freed = new AtomicInteger();
        try (Arena arena = Arena.ofConfined()) {
            Tensor tensor = tensorOverJavaMemory(arena, freed);
            NDArray array = Bridge.toArray(tensor);
            NDArray tail = array.slice(0, N - 2, N, 1);
            tensor.close();
            array.close();
            assertThrows(IllegalStateException.class, () -> array.getDouble(0));
            assertEquals(0, freed.get(), "a view still holds the storage");
            assertEquals(7.0, tail.getDouble(1));
            tail.close();
            assertEquals(1, freed.get());
        }
    }

    @Test
    void sharingTheArrayBackIsAViewOfTheSameStorage() {
        AtomicInteger freed = new AtomicInteger();
        try (Arena arena = Arena.ofConfined()) {
            Tensor tensor = tensorOverJavaMemory(arena, freed);
            try (NDArray array = Bridge.toArray(tensor); NDArray tail = array.slice(0, 2, N, 1);
                 Tensor back = Bridge.fromArray(tail)) {
                assertEquals(tensor.dataAddress() + 8, back.dataAddress());
                assertEquals(7.0, back.toDoubleArray()[N - 3]);
            }
            assertEquals(0, freed.get(), "the tensor is still open");
            tensor.close();
            assertEquals(1, freed.get());
        }
    }
}
