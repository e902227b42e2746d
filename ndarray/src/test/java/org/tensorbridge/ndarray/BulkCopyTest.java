package org.tensorbridge.ndarray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;

/** Large copies go through memmove: from and into Java heap memory, off-heap memory, at offsets. */
class BulkCopyTest {
    private static final int N = 1 << 18; // 1-2 MiB: above the memmove threshold

    @Test
    void copiesHeapBackedArraysBothWays() {
        float[] heap = new float[N];
        for (int i = 0; i < N; i++) {
            heap[i] = i * 0.5f;
        }
        try (NDArray onHeap = NDArray.wrap(MemorySegment.ofArray(heap), DType.FLOAT32, N);
             NDArray copy = onHeap.copy()) {
            assertArrayEquals(heap, copy.toFloatArray());
            float[] back = new float[N];
            try (NDArray target = NDArray.wrap(MemorySegment.ofArray(back), DType.FLOAT32, N)) {
                target.assign(copy);
            }
            assertArrayEquals(heap, back);
        }
    }

    @Test
    void copiesAtOffsetsWithinOneBuffer() {
        try (NDArray a = NDArrays.arange(2L * N); NDArray tail = a.slice(0, N, 2L * N, 1);
             NDArray copy = tail.copy()) {
            assertEquals(N, copy.getDouble(0));
            assertEquals(2.0 * N - 1, copy.getDouble(N - 1));
        }
    }
}
