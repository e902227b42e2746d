package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDBuffer;
import org.tensorbridge.testkit.Python;

class NpyMmapTest {

    @Test
    void modesBehaveLikeNumpy(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("a.npy");
        try (NDArray a = IoFixtures.patterned(DType.FLOAT64, 1, 4, 5)) {
            NpyFile.write(p, a);
        }
        byte[] original = Files.readAllBytes(p);
        try (NDArray r = NpyFile.mmap(p, MmapMode.READ_ONLY)) {
            assertTrue(r.isReadOnly());
            assertThrows(RuntimeException.class, () -> r.setDouble(1.0, 0, 0));
        }
        try (NDArray c = NpyFile.mmap(p, MmapMode.COPY_ON_WRITE)) {
            assertFalse(c.isReadOnly());
            c.setDouble(123.5, 1, 2);
            assertEquals(123.5, c.getDouble(1, 2));
        }
        assertArrayEquals(original, Files.readAllBytes(p), "copy-on-write must not change the file");
        try (NDArray w = NpyFile.mmap(p, MmapMode.READ_WRITE)) {
            w.setDouble(-7.25, 3, 4);
            w.setDouble(0.5, 0, 0);
        }
        String out = Python.numpy2().run("import sys, numpy as np\na = np.load(sys.argv[1])\nprint(a[3, 4], a[0, 0])",
                p.toString());
        assertArrayEquals(new double[] {-7.25, 0.5}, Python.parseDoubles(out));
    }

    @Test
    void closeUnmapsAndViewsKeepTheMappingAlive(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("a.npy");
        try (NDArray a = IoFixtures.patterned(DType.INT32, 2, 10)) {
            NpyFile.write(p, a);
        }
        NDArray m = NpyFile.mmap(p, MmapMode.READ_ONLY);
        NDBuffer buf = m.buffer();
        assertEquals(1, buf.refCount());
        long v = m.getLong(9);
        m.close();
        assertFalse(buf.isAlive());
        assertThrows(IllegalStateException.class, () -> m.getLong(0));

        NDArray m2 = NpyFile.mmap(p, MmapMode.READ_ONLY);
        NDBuffer b2 = m2.buffer().retain(); // e.g. a native consumer
        m2.close();
        assertTrue(b2.isAlive());
        b2.release();
        assertFalse(b2.isAlive());
        assertEquals(v, v);
    }

    /** A > 4 GiB sparse file (no disk used): open is O(1) and elements near the end are addressable. */
    @Test
    void largeSparseFileMapsInConstantTime(@TempDir Path dir) throws Exception {
        long n = (1L << 30) + 17; // float32: just over 4 GiB
        byte[] header = NpyHeader.format(DType.FLOAT32, new long[] {n}, false);
        Path p = dir.resolve("big.npy");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(header);
            f.setLength(header.length + n * 4);
        }
        long t0 = System.nanoTime();
        try (NDArray a = NpyFile.mmap(p, MmapMode.READ_WRITE)) {
            long openNanos = System.nanoTime() - t0;
            assertTrue(openNanos < 2_000_000_000L, "open took " + openNanos / 1e6 + " ms");
            assertArrayEquals(new long[] {n}, a.shape());
            assertEquals(0.0, a.getDouble(n - 1));
            a.setDouble(42.0, n - 1);
            assertEquals(42.0, a.getDouble(n - 1));
        }
        try (NDArray a = NpyFile.mmap(p, MmapMode.READ_ONLY)) {
            assertEquals(42.0, a.getDouble(n - 1));
        }
        NpyHeader h = NpyFile.readHeader(p);
        assertEquals(n * 4, h.dataBytes());
    }

    @Test
    void bigEndianMmapConvertsOrRefuses(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("be.npy");
        Python.numpy2().run("import sys, numpy as np\nnp.save(sys.argv[1], np.arange(6, dtype='>i4').reshape(2, 3))",
                p.toString());
        try (NDArray a = NpyFile.mmap(p, MmapMode.READ_ONLY)) {
            assertEquals(DType.INT32, a.dtype());
            assertEquals(5, a.getLong(1, 2));
        }
        var e = assertThrows(ArrayFileFormatException.class, () -> NpyFile.mmap(p, MmapMode.READ_WRITE));
        assertTrue(e.getMessage().contains("big-endian"), e.getMessage());
    }

    @Test
    void bfloat16IsRefusedWithAHint(@TempDir Path dir) {
        try (NDArray a = NDArray.zeros(DType.BFLOAT16, 3)) {
            var e = assertThrows(IllegalArgumentException.class, () -> NpyFile.write(dir.resolve("x.npy"), a));
            assertTrue(e.getMessage().contains("SafeTensorsFile") && e.getMessage().contains("astype"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> NpzFile.write(dir.resolve("x.npz"), Map.of("a", a), false));
            assertFalse(Files.exists(dir.resolve("x.npy")));
            assertFalse(Files.exists(dir.resolve("x.npz")));
        }
    }

    @Test
    void npzModes(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("a.npz");
        try (NDArray a = IoFixtures.patterned(DType.FLOAT32, 1, 8)) {
            NpzFile.write(p, Map.of("a", a), false);
        }
        byte[] before = Files.readAllBytes(p);
        try (NpzArchive z = NpzFile.open(p, MmapMode.COPY_ON_WRITE); NDArray a = z.get("a")) {
            assertTrue(z.isMemoryMapped("a"));
            a.setDouble(9, 0);
            assertEquals(9, a.getDouble(0));
        }
        assertArrayEquals(before, Files.readAllBytes(p));
        assertThrows(IllegalArgumentException.class, () -> NpzFile.open(p, MmapMode.READ_WRITE));
        NDArray kept;
        try (NpzArchive z = NpzFile.open(p)) {
            kept = z.get("a.npy");
            assertThrows(IllegalArgumentException.class, () -> z.get("missing"));
        }
        assertTrue(kept.isAlive(), "arrays outlive the archive");
        kept.close();
        assertFalse(kept.isAlive());
    }

    @Test
    void npzCrcIsCheckedWhenCopying(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("a.npz");
        try (NDArray a = IoFixtures.patterned(DType.INT64, 1, 8)) {
            NpzFile.write(p, Map.of("a", a), false);
        }
        byte[] b = Files.readAllBytes(p);
        int cd = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(b.length - 22 + 16);
        b[cd - 1] ^= 1; // last data byte
        Files.write(p, b);
        var e = assertThrows(ArrayFileFormatException.class, () -> NpzFile.read(p));
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
    }
}
