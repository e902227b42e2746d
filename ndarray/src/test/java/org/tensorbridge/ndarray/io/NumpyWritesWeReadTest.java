package org.tensorbridge.ndarray.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.testkit.Python;

/** Files written by real NumPy (1.24 and 2.x) are read with equal dtypes, shapes and bytes. */
class NumpyWritesWeReadTest {

    /** Writes fixtures into argv[1]; prints one manifest line per array: kind file key dtype shape fortran. */
    static final String FIXTURES = IoFixtures.PY_PRELUDE + """
            out = sys.argv[1]
            rng = np.random.default_rng(1234)
            def make(dt, shape):
                n = int(np.prod(shape))
                if dt == 'bool':
                    return rng.integers(0, 2, n).astype(bool).reshape(shape)
                if dt.startswith('complex'):
                    return (rng.standard_normal(n) * 100 + 1j * rng.standard_normal(n)).astype(dt).reshape(shape)
                if dt.startswith('float'):
                    return (rng.standard_normal(n) * 1000).astype(dt).reshape(shape)
                info = np.iinfo(dt)
                return rng.integers(info.min, info.max, n, dtype=dt, endpoint=True).reshape(shape)
            def emit(kind, fname, key, a):
                np.asarray(a)
                binname = fname + '.' + key + '.bin'
                open(os.path.join(out, binname), 'wb').write(cbytes(a))
                shape = ','.join(str(d) for d in a.shape)
                print(kind, fname, key, a.dtype.name, shape if shape else '-', int(np.isfortran(a)))
            dtypes = ['bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
                      'float16', 'float32', 'float64', 'complex64', 'complex128']
            for dt in dtypes:
                a = make(dt, (3, 4))
                np.save(os.path.join(out, dt + '.npy'), a)
                emit('npy', dt + '.npy', 'x', a)
            cases = {
                'fortran': np.asfortranarray(make('float32', (2, 3, 4))),
                'fortran_i8': np.asfortranarray(make('int8', (5, 7))),
                'scalar': np.array(3.25),
                'scalar_i': np.array(-7, dtype=np.int64),
                'empty': np.zeros((0, 5), np.float32),
                'empty3': np.zeros((2, 0, 3), np.int16),
                'be_f8': make('float64', (4, 5)).astype('>f8'),
                'be_i4': make('int32', (6,)).astype('>i4'),
                'be_c8': make('complex64', (3,)).astype('>c8'),
                'be_u2_fortran': np.asfortranarray(make('uint16', (3, 2)).astype('>u2')),
                'one_d': make('float32', (17,)),
                'many_dims': make('uint8', (1, 2, 1, 3, 1, 2)),
            }
            for name, a in cases.items():
                np.save(os.path.join(out, name + '.npy'), a)
                emit('npy', name + '.npy', 'x', a)
            for ver in [(2, 0), (3, 0)]:
                a = make('float64', (3, 2))
                fname = 'v%d.npy' % ver[0]
                with open(os.path.join(out, fname), 'wb') as f:
                    np.lib.format.write_array(f, a, version=ver)
                emit('npy', fname, 'x', a)
            arrays = {'a': make('float32', (10, 3)), 'b': make('int64', (7,)), 'c': np.asfortranarray(make('float64', (4, 6))),
                      'd': make('bool', (5,)), 'e': np.array(1.5), 'f': np.zeros((0,), np.uint8), 'g': make('complex128', (2, 2)),
                      'big_e': make('float32', (3, 3)).astype('>f4')}
            np.savez(os.path.join(out, 'stored.npz'), **arrays)
            np.savez_compressed(os.path.join(out, 'deflated.npz'), **arrays)
            for k, a in arrays.items():
                emit('npz', 'stored.npz', k, a)
                emit('npz', 'deflated.npz', k, a)
            """;

    @ParameterizedTest
    @ValueSource(strings = {"debian", "numpy2"})
    void readsEverythingNumpyWrites(String which, @TempDir Path dir) throws Exception {
        Python py = which.equals("debian") ? Python.debian() : Python.numpy2();
        String manifest = py.run(FIXTURES, dir.toString());
        List<String> lines = manifest.lines().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.size() > 40, manifest);
        List<String> failures = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            String kind = f[0], file = f[1], key = f[2], dtype = f[3];
            long[] shape = f[4].equals("-") ? new long[0] : Arrays.stream(f[4].split(",")).mapToLong(Long::parseLong).toArray();
            boolean fortran = f[5].equals("1");
            byte[] expected = Files.readAllBytes(dir.resolve(file + "." + key + ".bin"));
            Path p = dir.resolve(file);
            String label = which + " " + file + ":" + key;
            try {
                if (kind.equals("npy")) {
                    try (NDArray a = NpyFile.read(p)) {
                        check(label + " read", a, dtype, shape, expected);
                        if (fortran && shape.length > 1) {
                            assertTrue(a.isFContiguous() && !a.isCContiguous(), label + " should be F-strided");
                        }
                    }
                    NpyHeader h = NpyFile.readHeader(p);
                    try (NDArray m = NpyFile.mmap(p, MmapMode.READ_ONLY)) {
                        check(label + " mmap", m, dtype, shape, expected);
                        assertTrue(m.isReadOnly(), label);
                        if (!h.bigEndian()) {
                            // zero-copy: the buffer is the whole mapped file
                            assertEquals(Files.size(p), m.buffer().byteSize(), label + " should be mapped");
                            assertEquals(h.dataOffset(), m.byteOffset(), label);
                            if (fortran && shape.length > 1) {
                                assertTrue(m.isFContiguous() && !m.isCContiguous(), label + " mmap should be F-strided");
                            }
                        } else {
                            assertNotEquals(Files.size(p), m.buffer().byteSize(), label + " big-endian is converted");
                        }
                    }
                    if (file.startsWith("v2") || file.startsWith("v3")) {
                        assertEquals(file.charAt(1) - '0', h.majorVersion(), label);
                    } else {
                        assertEquals(1, h.majorVersion(), label);
                    }
                } else {
                    Map<String, NDArray> all = NpzFile.read(p);
                    try {
                        check(label + " npz read", all.get(key), dtype, shape, expected);
                    } finally {
                        all.values().forEach(NDArray::close);
                    }
                    try (NpzArchive z = NpzFile.open(p); NDArray a = z.get(key)) {
                        check(label + " npz open", a, dtype, shape, expected);
                        if (file.equals("deflated.npz")) {
                            assertFalse(z.isMemoryMapped(key), label);
                        }
                    }
                }
            } catch (Throwable t) {
                failures.add(label + ": " + t);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void check(String label, NDArray a, String dtype, long[] shape, byte[] expected) {
        assertEquals(dtype, a.dtype().numpyName(), label + " dtype");
        assertArrayEquals(shape, a.shape(), label + " shape");
        assertArrayEquals(expected, IoFixtures.cBytes(a), label + " bytes");
    }
}
