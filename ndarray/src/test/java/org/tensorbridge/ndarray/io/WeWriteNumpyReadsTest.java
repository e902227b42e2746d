package org.tensorbridge.ndarray.io;

import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.testkit.ScopePerTest;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.testkit.Python;

/** Files we write are read by both NumPy versions with equal dtype, shape and bytes. */
@ExtendWith(ScopePerTest.class)
class WeWriteNumpyReadsTest {
    @TempDir
    static Path dir;
    static final List<String> manifest = new ArrayList<>();
    static final List<NDArray> toClose = new ArrayList<>();

    static NDArray keep(NDArray a) {
        toClose.add(a);
        return a;
    }

    /** kind file key dtype shape */
    static void emit(String kind, String file, String key, NDArray a) throws Exception {
        IoFixtures.dump(dir.resolve(file + "." + key.replace('/', '_') + ".bin"), a);
        String shape = Arrays.stream(a.shape()).mapToObj(Long::toString).collect(Collectors.joining(","));
        manifest.add(kind + " " + file + " " + key + " " + a.dtype().numpyName() + " " + (shape.isEmpty() ? "-" : shape));
    }

    @BeforeAll
    static void writeFiles() throws Exception {
        long seed = 1;
        for (DType t : DType.arrayTypes()) {
            if (t == DType.BFLOAT16) {
                continue;
            }
            NDArray a = keep(IoFixtures.patterned(t, seed++, 3, 5));
            NpyFile.write(dir.resolve(t.numpyName() + ".npy"), a);
            emit("npy", t.numpyName() + ".npy", "x", a);
        }
        Map<String, NDArray> cases = new LinkedHashMap<>();
        NDArray base = keep(IoFixtures.patterned(DType.FLOAT64, 99, 4, 6));
        cases.put("fortran", keep(base.transpose())); // F-contiguous view, written with fortran_order True
        cases.put("strided", keep(base.slice(1, 0, 6, 2))); // neither: made contiguous
        cases.put("fortran3", keep(keep(IoFixtures.patterned(DType.INT16, 5, 2, 3, 4)).transpose()));
        cases.put("scalar", keep(IoFixtures.patterned(DType.FLOAT32, 7)));
        cases.put("empty", keep(NDArray.zeros(DType.FLOAT32, 0, 5)));
        cases.put("empty_f", keep(keep(NDArray.zeros(DType.INT32, 3, 0, 2)).transpose()));
        cases.put("onedim", keep(IoFixtures.patterned(DType.UINT32, 8, 100)));
        for (var e : cases.entrySet()) {
            NpyFile.write(dir.resolve(e.getKey() + ".npy"), e.getValue());
            emit("npy", e.getKey() + ".npy", "x", e.getValue());
        }
        for (int v = 1; v <= 3; v++) {
            NDArray a = keep(IoFixtures.patterned(DType.COMPLEX64, 20 + v, 2, 3));
            NpyFile.write(dir.resolve("v" + v + ".npy"), a, v);
            emit("npy", "v" + v + ".npy", "x", a);
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        arrays.put("a", keep(IoFixtures.patterned(DType.FLOAT32, 31, 10, 3)));
        arrays.put("b", keep(IoFixtures.patterned(DType.INT64, 32, 7)));
        arrays.put("c", keep(keep(IoFixtures.patterned(DType.FLOAT64, 33, 6, 4)).transpose()));
        arrays.put("d", keep(IoFixtures.patterned(DType.BOOL, 34, 5)));
        arrays.put("e", keep(IoFixtures.patterned(DType.FLOAT16, 35)));
        arrays.put("f", keep(NDArray.zeros(DType.UINT8, 0)));
        arrays.put("g", keep(IoFixtures.patterned(DType.COMPLEX128, 36, 2, 2)));
        arrays.put("sub/dir/h", keep(IoFixtures.patterned(DType.INT8, 37, 1000)));
        arrays.put("ünï", keep(IoFixtures.patterned(DType.UINT16, 38, 3)));
        NpzFile.write(dir.resolve("stored.npz"), arrays, false);
        NpzFile.write(dir.resolve("deflated.npz"), arrays, true);
        NpzFile.write(dir.resolve("zip64.npz"), arrays, false, true);
        NpzFile.write(dir.resolve("zip64d.npz"), arrays, true, true);
        for (var e : arrays.entrySet()) {
            for (String f : List.of("stored.npz", "deflated.npz", "zip64.npz", "zip64d.npz")) {
                emit("npz", f, e.getKey(), e.getValue());
            }
        }
        java.nio.file.Files.write(dir.resolve("manifest.txt"), manifest);
    }

    @AfterAll
    static void close() {
        toClose.forEach(NDArray::close);
    }

    static final String CHECK = IoFixtures.PY_PRELUDE + """
            d = sys.argv[1]
            n = 0
            for line in open(os.path.join(d, 'manifest.txt'), encoding='utf-8'):
                kind, fname, key, dtype, shape = line.split()
                shape = () if shape == '-' else tuple(int(x) for x in shape.split(','))
                p = os.path.join(d, fname)
                binpath = os.path.join(d, fname + '.' + key.replace('/', '_') + '.bin')
                if kind == 'npy':
                    a = np.load(p)
                    check(fname, a, binpath, dtype, shape)
                    m = np.load(p, mmap_mode='r')
                    check(fname + ' mmap', m, binpath, dtype, shape)
                    # np.save of what NumPy loaded gives our exact bytes (same header, padding and version)
                    import io
                    buf = io.BytesIO()
                    if fname.startswith('v'):
                        np.lib.format.write_array(buf, a, version=(int(fname[1]), 0))
                    else:
                        np.save(buf, a)
                    assert buf.getvalue() == open(p, 'rb').read(), (fname, 'file bytes differ from np.save',
                        open(p, 'rb').read()[:128], buf.getvalue()[:128])
                else:
                    with np.load(p) as z:
                        check(fname + ':' + key, z[key], binpath, dtype, shape)
                    with zipfile.ZipFile(p) as zf:
                        assert zf.testzip() is None, fname
                n += 1
            print(n)
            """;

    @Test
    void numpy2ReadsOurFiles() {
        String out = Python.numpy2().run(CHECK, dir.toString());
        assertEquals(manifest.size(), Integer.parseInt(out.trim()));
    }

    @Test
    void numpy124ReadsOurFiles() {
        String out = Python.debian().run(CHECK, dir.toString());
        assertEquals(manifest.size(), Integer.parseInt(out.trim()));
    }

    @Test
    void weReadOurOwnFilesBack() throws Exception {
        for (String line : manifest) {
            String[] f = line.split(" ");
            byte[] expected = java.nio.file.Files.readAllBytes(dir.resolve(f[1] + "." + f[2].replace('/', '_') + ".bin"));
            if (f[0].equals("npy")) {
                try (NDArray a = NpyFile.read(dir.resolve(f[1]))) {
                    assertEquals(f[3], a.dtype().numpyName());
                    assertTrue(Arrays.equals(expected, IoFixtures.cBytes(a)), line);
                }
            } else {
                try (NpzArchive z = NpzFile.open(dir.resolve(f[1])); NDArray a = z.get(f[2])) {
                    assertTrue(Arrays.equals(expected, IoFixtures.cBytes(a)), line);
                    if (!f[1].contains("d.npz") && a.size() > 0) {
                        // our stored entries are 64-byte aligned, so they are mapped zero-copy
                        assertTrue(z.isMemoryMapped(f[2]), line);
                        assertEquals(java.nio.file.Files.size(dir.resolve(f[1])), a.buffer().byteSize(), line);
                        assertEquals(0, a.byteOffset() % 64, line);
                    }
                }
            }
        }
    }
}
