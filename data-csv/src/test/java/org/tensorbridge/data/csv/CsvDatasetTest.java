package org.tensorbridge.data.csv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.Scope;
import org.tensorbridge.data.ArrayDataset;
import org.tensorbridge.data.Batch;
import org.tensorbridge.data.DataLoader;
import org.tensorbridge.testkit.Python;

/** CSV values as NumPy reads them (Python's csv module + NumPy, in the test run); errors name line and column. */
class CsvDatasetTest {
    private static final Path FLOWERS = Path.of("src", "test", "resources", "flowers.csv");

    @Test
    void valuesMatchNumpy() throws Exception {
        double[] expected = Python.parseDoubles(Python.debian().run("""
                import sys, csv, numpy as np
                with open(sys.argv[1], newline='') as f:
                    rows = list(csv.DictReader(f, skipinitialspace=True))
                x = np.array([[float(r[k].strip()) for k in r if k != 'species'] for r in rows], dtype=np.float32)
                y = np.array([int(r['species']) for r in rows], dtype=np.int64)
                print(' '.join(repr(float(v)) for v in np.concatenate([x.ravel(), y.astype(np.float32)])))
                """, FLOWERS.toAbsolutePath().toString()));
        try (Scope scope = Scope.open()) {
            ArrayDataset data = CsvDataset.read(FLOWERS, "species");
            assertEquals(6, data.size());
            assertEquals("[x: float32[3], y: int64[]]", data.fields().toString());
            try (DataLoader loader = DataLoader.builder(data).batchSize(6).build()) {
                for (Batch batch : loader.epoch(0)) {
                    float[] x = batch.get("x").toFloatArray();
                    long[] y = batch.get("y").toLongArray();
                    double[] actual = new double[x.length + y.length];
                    for (int i = 0; i < x.length; i++) {
                        actual[i] = x[i];
                    }
                    for (int i = 0; i < y.length; i++) {
                        actual[x.length + i] = y[i];
                    }
                    assertArrayEquals(expected, actual);
                }
            }
        }
    }

    @Test
    void badValuesNameTheirLineAndColumn(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "a,b,label\n1,2,0\n3,oops,1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CsvDataset.read(bad, "label"));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("column 'b'")
                && e.getMessage().contains("'oops'"), e.getMessage());
        Path ragged = Files.writeString(dir.resolve("ragged.csv"), "a,b,label\n1,2,0\n3,1\n");
        e = assertThrows(IllegalArgumentException.class, () -> CsvDataset.read(ragged, "label"));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("2 values"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvDataset.read(bad, "target"));
        assertTrue(e.getMessage().contains("no column 'target'"), e.getMessage());
    }
}
