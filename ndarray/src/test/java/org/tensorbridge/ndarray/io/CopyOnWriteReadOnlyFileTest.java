package org.tensorbridge.ndarray.io;

import org.tensorbridge.testkit.Unwritable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.testkit.Python;

/**
 * NumPy's {@code mmap_mode='c'} opens the file read-only: a dataset on a read-only mount or without write
 * permission maps copy-on-write. So do ours (.npy, .npz, safetensors), without a copy, and writes through the
 * array never reach the file (NumPy reads the original back).
 */
class CopyOnWriteReadOnlyFileTest {
    @TempDir
    Path dir;

    private void numpyWrites() {
        Python.numpy2().run("""
                import sys, os, json, struct, numpy as np
                d = sys.argv[1]
                np.save(os.path.join(d, 'a.npy'), np.arange(12, dtype=np.float64).reshape(3, 4))
                np.savez(os.path.join(d, 'z.npz'), w=np.arange(6, dtype=np.uint8).reshape(2, 3))  # uint8: any offset is aligned, so mapped
                raw = np.arange(8, dtype='<f4').tobytes()
                h = json.dumps({'t': {'dtype': 'F32', 'shape': [8], 'data_offsets': [0, len(raw)]}}).encode()
                h += b' ' * (-len(h) % 8)
                open(os.path.join(d, 's.safetensors'), 'wb').write(struct.pack('<Q', len(h)) + h + raw)
                """, dir.toString());
    }

    private void numpyReadsTheOriginals() {
        Python.numpy2().run("""
                import sys, os, numpy as np
                d = sys.argv[1]
                assert np.array_equal(np.load(os.path.join(d, 'a.npy')), np.arange(12.0).reshape(3, 4))
                assert np.array_equal(np.load(os.path.join(d, 'z.npz'))['w'], np.arange(6, dtype=np.uint8).reshape(2, 3))
                b = open(os.path.join(d, 's.safetensors'), 'rb').read()
                assert np.array_equal(np.frombuffer(b[-32:], '<f4'), np.arange(8.0))
                """, dir.toString());
    }

    @Test
    void readOnlyFilesMapCopyOnWriteAndStayUnchanged() throws Exception {
        numpyWrites();
        Path npy = dir.resolve("a.npy");
        Path npz = dir.resolve("z.npz");
        Path st = dir.resolve("s.safetensors");
        byte[] npyBytes = Files.readAllBytes(npy);
        byte[] npzBytes = Files.readAllBytes(npz);
        byte[] stBytes = Files.readAllBytes(st);
        assertTrue(FileMapping.copyOnWriteOpensReadOnly(), "libc's mmap is reachable on this Linux machine");
        try (Unwritable u1 = new Unwritable(npy); Unwritable u2 = new Unwritable(npz); Unwritable u3 = new Unwritable(st)) {
            try (NDArray a = NpyFile.mmap(npy, MmapMode.COPY_ON_WRITE)) {
                assertFalse(a.isReadOnly());
                assertTrue(a.buffer().segment().byteSize() == npyBytes.length, "the whole file is mapped, not copied");
                a.setDouble(-1.5, 2, 3);
                assertEquals(-1.5, a.getDouble(2, 3));
                assertEquals(5.0, a.getDouble(1, 1));
            }
            try (NpzArchive z = NpzFile.open(npz, MmapMode.COPY_ON_WRITE); NDArray w = z.get("w")) {
                assertTrue(z.isMemoryMapped("w"));
                w.setLong(250, 1, 2);
                assertEquals(250, w.getLong(1, 2));
            }
            try (SafeTensors s = SafeTensorsFile.open(st, MmapMode.COPY_ON_WRITE); NDArray t = s.get("t")) {
                assertTrue(s.isMemoryMapped("t"));
                t.setDouble(42.0, 7);
                assertEquals(42.0, t.getDouble(7));
            }
            // r+ still needs a writable file, with the JDK's own refusal
            assertThrows(IOException.class, () -> NpyFile.mmap(npy, MmapMode.READ_WRITE));
        }
        assertArrayEquals(npyBytes, Files.readAllBytes(npy), "writes through a copy-on-write mapping reached the .npy");
        assertArrayEquals(npzBytes, Files.readAllBytes(npz), "... the .npz");
        assertArrayEquals(stBytes, Files.readAllBytes(st), "... the safetensors file");
        numpyReadsTheOriginals();
    }

    @Test
    void twoMappingsOfOneFileAreIndependent() throws Exception {
        numpyWrites();
        Path npy = dir.resolve("a.npy");
        try (Unwritable u = new Unwritable(npy); NDArray a = NpyFile.mmap(npy, MmapMode.COPY_ON_WRITE);
                NDArray b = NpyFile.mmap(npy, MmapMode.COPY_ON_WRITE)) {
            a.setDouble(100.0, 0, 0);
            assertEquals(0.0, b.getDouble(0, 0), "each private mapping has its own copy of a written page");
        }
    }

    @Test
    void missingFileIsReportedAsSuch() {
        Path missing = dir.resolve("nope.npy");
        IOException e = assertThrows(IOException.class, () -> NpyFile.mmap(missing, MmapMode.COPY_ON_WRITE));
        assertTrue(e instanceof java.nio.file.NoSuchFileException, e.toString());
        assertTrue(e.getMessage().contains("nope.npy"), e.getMessage());
    }

    @Test
    void emptyFileIsRefusedAsTooShort() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.npy"));
        ArrayFileFormatException e = assertThrows(ArrayFileFormatException.class,
                () -> NpyFile.mmap(empty, MmapMode.COPY_ON_WRITE));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
    }
}
