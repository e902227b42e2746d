package org.tensorbridge.ndarray;

import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.testkit.ScopePerTest;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad input fails with IllegalArgumentException (or IndexOutOfBounds) whose message says what and how. */
@ExtendWith(ScopePerTest.class)
class ErrorMessagesTest {

    private static String message(Class<? extends Throwable> type, Executable e) {
        return assertThrows(type, e).getMessage();
    }

    @Test
    void messagesNameShapesAxesAndRemedies() {
        try (NDArray a = NDArray.zeros(DType.FLOAT32, 2, 3); NDArray b = NDArray.zeros(DType.FLOAT32, 4);
                NDArray t = NDArray.zeros(DType.BOOL, 3)) {
            String m = message(IllegalArgumentException.class, () -> a.add(b));
            assertTrue(m.contains("(2, 3)") && m.contains("(4,)"), m);
            m = message(IllegalArgumentException.class, () -> a.sum(2));
            assertTrue(m.contains("axis 2") && m.contains("dimension 2"), m);
            m = message(IllegalArgumentException.class, () -> t.sub(t));
            assertTrue(m.contains("boolean subtract"), m);
            m = message(IllegalArgumentException.class, () -> a.transpose().view(6));
            assertTrue(m.contains("reshape") && m.contains("copy()"), m);
            m = message(IllegalArgumentException.class, () -> a.reshape(4, 2));
            assertTrue(m.contains("size 6"), m);
            m = message(IllegalArgumentException.class, () -> a.slice(0, 0, 2, 0));
            assertTrue(m.contains("step"), m);
            m = message(IndexOutOfBoundsException.class, () -> a.select(1, 5));
            assertTrue(m.contains("axis 1") && m.contains("size 3"), m);
            m = message(IndexOutOfBoundsException.class, () -> a.get(Index.at(0), Index.at(0), Index.at(0)));
            assertTrue(m.contains("too many indices"), m);
            m = message(IllegalArgumentException.class, () -> a.squeeze(0));
            assertTrue(m.contains("squeeze"), m);
            m = message(IllegalArgumentException.class, () -> a.broadcastTo(3, 3));
            assertTrue(m.contains("(2, 3)") && m.contains("(3, 3)"), m);
            m = message(IllegalArgumentException.class, () -> a.normalize(new float[] {0}, new float[] {1}, 1));
            assertTrue(m.contains("3 channels"), m);
            m = message(IllegalArgumentException.class, () -> NDArrays.concatenate(0, a, b));
            assertTrue(m.contains("dimensions"), m);
            m = message(IllegalArgumentException.class, () -> DType.fromNumpyName("float"));
            assertTrue(m.contains("float32") && m.contains("bfloat16"), m);
            m = message(IllegalArgumentException.class, () -> NDArray.of(new float[] {1, 2, 3}, 2, 2));
            assertTrue(m.contains("(2, 2)") && m.contains("3 values"), m);
            try (NDArray i8 = NDArray.zeros(DType.INT8, 2)) {
                m = message(IllegalArgumentException.class, () -> i8.add(300L));
                assertTrue(m.contains("300") && m.contains("int8"), m);
                m = message(IllegalArgumentException.class, () -> i8.pow(-1L));
                assertTrue(m.contains("negative integer powers"), m);
            }
        }
    }

    @Test
    void dtypeTable() {
        int[] sizes = {1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 2, 4, 8, 8, 16};
        DType[] all = DType.arrayTypes().toArray(DType[]::new);
        assertEquals(sizes.length, all.length);
        for (int i = 0; i < all.length; i++) {
            assertEquals(sizes[i], all[i].byteSize(), all[i].name());
            assertEquals(all[i], DType.fromNumpyName(all[i].numpyName()));
        }
        assertTrue(DType.UINT16.isUnsigned() && DType.UINT16.isInteger() && !DType.BOOL.isInteger());
        assertTrue(DType.BFLOAT16.isFloatingPoint() && DType.COMPLEX64.isComplex() && !DType.COMPLEX64.isFloatingPoint());
    }

    @Test
    void randomIsDeterministicPerSeed() {
        NDRandom r1 = new NDRandom(42);
        NDRandom r2 = new NDRandom(42);
        try (NDArray a = r1.normal(0, 1, 1000); NDArray b = r2.normal(0, 1, 1000); NDArray m = a.mean();
                NDArray s = a.std(); NDArray u = r1.uniform(2, 3, 500); NDArray umin = u.min(); NDArray umax = u.max();
                NDArray p = r1.permutation(100); NDArray ps = p.sum(); NDArray i = r1.integers(-5, 5, 1000);
                NDArray imin = i.min(); NDArray imax = i.max()) {
            assertEquals(a.toDoubleArray()[17], b.toDoubleArray()[17]);
            assertTrue(Math.abs(m.item()) < 0.15 && Math.abs(s.item() - 1) < 0.1);
            assertTrue(umin.item() >= 2 && umax.item() < 3);
            assertEquals(4950, ps.getLong());
            assertEquals(-5, imin.getLong());
            assertEquals(4, imax.getLong());
            try (NDArray flat = NDArrays.arange(12); NDArray before = flat.reshape(4, 3).sum(0)) {
                NDArray rows = flat.reshape(4, 3);
                r1.shuffle(rows);
                try (NDArray after = rows.sum(0)) {
                    assertEquals(before.toString(), after.toString());
                }
            }
        }
    }
}
