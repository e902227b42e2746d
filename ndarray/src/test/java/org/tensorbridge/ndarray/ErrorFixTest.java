package org.tensorbridge.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.LeakCheck;

/** Array errors a new user meets, each an exception of the project's whose message names the fix. */
class ErrorFixTest {

    @Test
    void aShapeWhoseSizeOverflowsSaysSoWithTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NDArray.zeros(DType.FLOAT32, 1L << 32, 1L << 32));
        assertTrue(e.getMessage().contains("(4294967296, 4294967296)") && e.getMessage().contains("check the shape"),
                e.getMessage());
        IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class,
                () -> NDArray.zeros(DType.FLOAT64, 1L << 61));
        assertTrue(bytes.getMessage().contains("more than 2^63 - 1 bytes"), bytes.getMessage());
    }

    @Test
    void anAllocationThatFailsIsTheProjectsException() {
        ArrayAllocationException e = assertThrows(ArrayAllocationException.class,
                () -> NDArray.zeros(DType.UINT8, 1L << 50));  // 1 PiB
        assertTrue(e.getMessage().contains("1125899906842624 bytes") && e.getMessage().contains("NpyFile.mmap"),
                e.getMessage());
    }

    @Test
    void operationsOnAClosedArrayLeaveNothingBehind() {
        NDArray closed = NDArray.ones(DType.FLOAT32, 1, 3, 8, 8);
        closed.close();
        for (int i = 0; i < 2000; i++) {
            assertThrows(IllegalStateException.class, closed::copy);
            assertThrows(IllegalStateException.class, () -> closed.astype(DType.FLOAT64));
            assertThrows(IllegalStateException.class,
                    () -> closed.normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1}, 1));
            assertThrows(IllegalStateException.class, () -> closed.add(1.0));
        }
        LeakCheck.collectGarbage();
        assertEquals(0, LeakCheck.takeLeaks().size(), "no failed operation left its output to the GC");
    }
}
