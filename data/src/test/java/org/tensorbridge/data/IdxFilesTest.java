package org.tensorbridge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.io.ArrayFileFormatException;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.testkit.ScopePerTest;

/** IDX files read as NumPy decodes them, from the committed fixtures; malformed ones refused with the reason. */
@ExtendWith(ScopePerTest.class)
class IdxFilesTest {
    private static final Path FIXTURES = Path.of("src", "test", "resources", "idx");

    private static double[] numpy(String file, String dtype, int headerBytes) {
        String out = Python.debian().run("""
                import sys, gzip, numpy as np
                opener = gzip.open if sys.argv[1].endswith('.gz') else open
                with opener(sys.argv[1], 'rb') as f:
                    data = f.read()
                a = np.frombuffer(data, dtype=sys.argv[2], offset=int(sys.argv[3]))
                print(' '.join(repr(float(v)) for v in a))
                """, FIXTURES.resolve(file).toAbsolutePath().toString(), dtype, Integer.toString(headerBytes));
        return Python.parseDoubles(out);
    }

    @Test
    void imagesAndLabelsMatchNumpy() throws Exception {
        for (String name : new String[] {"images-idx3-ubyte", "images-idx3-ubyte.gz"}) {
            NDArray images = IdxFiles.read(FIXTURES.resolve(name));
            assertArrayEquals(new long[] {10, 6, 5}, images.shape());
            assertArrayEquals(numpy(name, "u1", 16), images.toDoubleArray(), name);
        }
        NDArray labels = IdxFiles.read(FIXTURES.resolve("labels-idx1-int"));
        assertArrayEquals(new long[] {10}, labels.shape());
        assertArrayEquals(numpy("labels-idx1-int", ">i4", 8), labels.toDoubleArray(), "big-endian int32");
    }

    @Test
    void malformedFilesAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        byte[] good = Files.readAllBytes(FIXTURES.resolve("images-idx3-ubyte"));
        Path truncated = Files.write(dir.resolve("truncated"), Arrays.copyOf(good, good.length - 7));
        ArrayFileFormatException e = assertThrows(ArrayFileFormatException.class, () -> IdxFiles.read(truncated));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("[10, 6, 5]"), e.getMessage());
        byte[] wrongType = good.clone();
        wrongType[2] = 0x42;
        Path bad = Files.write(dir.resolve("type"), wrongType);
        e = assertThrows(ArrayFileFormatException.class, () -> IdxFiles.read(bad));
        assertTrue(e.getMessage().contains("0x42"), e.getMessage());
        Path text = Files.writeString(dir.resolve("text"), "hello");
        e = assertThrows(ArrayFileFormatException.class, () -> IdxFiles.read(text));
        assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());
    }
}
