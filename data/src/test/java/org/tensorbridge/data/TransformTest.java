package org.tensorbridge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDArrays;
import org.tensorbridge.testkit.Python;

/** Composable per-sample transforms in the workers: NumPy's results for the fixed ones, repeatable random ones. */
class TransformTest {
    private static float[] epochValues(Dataset data, int workers, long epoch) {
        try (Scope scope = Scope.open(); DataLoader loader = DataLoader.builder(data).batchSize((int) data.size())
                .workers(workers).mode(DataLoader.Mode.STREAM).build()) {
            for (Batch batch : loader.epoch(epoch)) {
                return batch.get("x").toFloatArray();
            }
        }
        throw new AssertionError();
    }

    private static ArrayDataset images(Scope scope) {
        NDArray x = NDArrays.arange(0.0, 4 * 3 * 6 * 8, 1.0, DType.FLOAT32).reshape(4, 3, 6, 8);
        return ArrayDataset.of(x, NDArrays.arange(0.0, 4, 1.0, DType.INT64));
    }

    @Test
    void fixedStepsGiveNumpysResults() {
        try (Scope scope = Scope.open()) {
            Dataset data = TransformedDataset.of(images(scope), "x", 0, Transform.centerCrop(4),
                    Transform.horizontalFlip(1.0), Transform.normalize(new float[] {1, 2, 3}, new float[] {2, 4, 8}));
            assertEquals("[x: float32[3, 4, 4], y: int64[]]", data.fields().toString());
            double[] expected = Python.parseDoubles(Python.debian().run("""
                    import numpy as np
                    x = np.arange(4 * 3 * 6 * 8, dtype=np.float32).reshape(4, 3, 6, 8)
                    x = x[:, :, 1:5, 2:6][:, :, :, ::-1]
                    x = (x - np.array([1, 2, 3], np.float32)[:, None, None]) / np.array([2, 4, 8], np.float32)[:, None, None]
                    print(' '.join(repr(float(v)) for v in x.ravel()))
                    """));
            float[] actual = epochValues(data, 2, 0);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-6, "value " + i);
            }
        }
    }

    @Test
    void randomStepsRepeatForAnyNumberOfWorkersAndChangeWithTheEpoch() {
        try (Scope scope = Scope.open()) {
            Dataset data = TransformedDataset.of(images(scope), "x", 7, Transform.randomCrop(5), Transform.horizontalFlip(0.5));
            float[] first = epochValues(data, 0, 3);
            assertArrayEquals(first, epochValues(data, 2, 3));
            assertArrayEquals(first, epochValues(data, 4, 3));
            assertFalse(java.util.Arrays.equals(first, epochValues(data, 2, 4)), "another epoch, other crops");
        }
    }

    @Test
    void shapesThatDoNotFitAreRefused() {
        try (Scope scope = Scope.open()) {
            ArrayDataset data = images(scope);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TransformedDataset.of(data, "x", 0, Transform.centerCrop(7)));
            assertEquals(true, e.getMessage().contains("cannot crop 7x7 from 8x6"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> TransformedDataset.of(data, "y", 0));
            assertEquals(true, e.getMessage().contains("float32 [channels, height, width]"), e.getMessage());
        }
    }
}
