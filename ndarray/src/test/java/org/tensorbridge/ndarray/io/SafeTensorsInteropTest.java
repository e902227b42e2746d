package org.tensorbridge.ndarray.io;

import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.testkit.ScopePerTest;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.testkit.Python;

/** safetensors files built by hand in Python (no safetensors package) are read; ours parse in Python and torch. */
@ExtendWith(ScopePerTest.class)
class SafeTensorsInteropTest {

    static final String PY_WRITE = IoFixtures.PY_PRELUDE + """
            out = sys.argv[1]
            rng = np.random.default_rng(7)
            f32 = (rng.standard_normal(12) * 10).astype(np.float32)
            bf16 = (f32.view(np.uint32) >> 16).astype(np.uint16)  # bfloat16 bits by truncation
            tensors = {  # name -> (safetensors dtype, numpy array holding the bytes, shape)
                'w.f32': ('F32', f32.reshape(3, 4)),
                'w.f64': ('F64', rng.standard_normal((2, 3))),
                'w.f16': ('F16', rng.standard_normal(5).astype(np.float16)),
                'w.bf16': ('BF16', bf16.reshape(4, 3)),
                'i64': ('I64', rng.integers(-2**62, 2**62, 4)),
                'i32': ('I32', rng.integers(-2**31, 2**31 - 1, (2, 2)).astype(np.int32)),
                'i16': ('I16', rng.integers(-2**15, 2**15 - 1, 3).astype(np.int16)),
                'i8': ('I8', rng.integers(-128, 127, 7).astype(np.int8)),
                'u8': ('U8', rng.integers(0, 255, 9).astype(np.uint8)),
                'u16': ('U16', rng.integers(0, 2**16 - 1, 3).astype(np.uint16)),
                'u32': ('U32', rng.integers(0, 2**32 - 1, 3).astype(np.uint32)),
                'u64': ('U64', rng.integers(0, 2**63, 3).astype(np.uint64)),
                'flag': ('BOOL', rng.integers(0, 2, 6).astype(bool)),
                'c64': ('C64', (rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(np.complex64)),
                'scalar': ('F32', np.array(2.5, np.float32)),
                'empty': ('F32', np.zeros((0, 3), np.float32)),
            }
            # Data in name order (not alignment order) to check we accept any offset order; header keys shuffled.
            names = sorted(tensors)
            header = {}
            blobs = []
            off = 0
            for n in names:
                dt, a = tensors[n]
                b = np.ascontiguousarray(a).tobytes()
                header[n] = {'dtype': dt, 'shape': list(a.shape), 'data_offsets': [off, off + len(b)]}
                blobs.append(b)
                off += len(b)
                open(os.path.join(out, n + '.bin'), 'wb').write(b)
                print(n, dt, ','.join(map(str, a.shape)) or '-')
            header['__metadata__'] = {'format': 'pt', 'note': 'héllo "q"'}
            items = list(header.items())
            rng.shuffle(items)
            h = json.dumps(dict(items)).encode('utf-8')
            h += b' ' * ((8 - len(h) % 8) % 8)
            with open(os.path.join(out, 'model.safetensors'), 'wb') as f:
                f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))
            """;

    private static final Map<String, DType> SAFE = Map.ofEntries(Map.entry("F32", DType.FLOAT32),
            Map.entry("F64", DType.FLOAT64), Map.entry("F16", DType.FLOAT16), Map.entry("BF16", DType.BFLOAT16),
            Map.entry("I64", DType.INT64), Map.entry("I32", DType.INT32), Map.entry("I16", DType.INT16),
            Map.entry("I8", DType.INT8), Map.entry("U8", DType.UINT8), Map.entry("U16", DType.UINT16),
            Map.entry("U32", DType.UINT32), Map.entry("U64", DType.UINT64), Map.entry("BOOL", DType.BOOL),
            Map.entry("C64", DType.COMPLEX64));

    @Test
    void readsHandBuiltFile(@TempDir Path dir) throws Exception {
        String out = Python.numpy2().run(PY_WRITE, dir.toString());
        Path file = dir.resolve("model.safetensors");
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(16, lines.size(), out);
        try (SafeTensors st = SafeTensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt", "note", "héllo \"q\""), st.metadata());
            assertEquals(lines.stream().map(l -> l.split(" ")[0]).toList(), st.names()); // offset order
            for (String line : lines) {
                String[] f = line.split(" ");
                long[] shape = f[2].equals("-") ? new long[0] : Arrays.stream(f[2].split(",")).mapToLong(Long::parseLong).toArray();
                try (NDArray a = st.get(f[0])) {
                    assertEquals(SAFE.get(f[1]), a.dtype(), line);
                    assertArrayEquals(shape, a.shape(), line);
                    assertArrayEquals(Files.readAllBytes(dir.resolve(f[0] + ".bin")), IoFixtures.cBytes(a), line);
                    assertTrue(a.isReadOnly(), line);
                    assertEquals(st.isMemoryMapped(f[0]), a.buffer().byteSize() == Files.size(file), line);
                }
            }
        }
        Map<String, NDArray> all = SafeTensorsFile.read(file);
        try {
            assertEquals(16, all.size());
            for (String line : lines) {
                String[] f = line.split(" ");
                assertArrayEquals(Files.readAllBytes(dir.resolve(f[0] + ".bin")), IoFixtures.cBytes(all.get(f[0])));
                assertTrue(!all.get(f[0]).isReadOnly());
            }
        } finally {
            all.values().forEach(NDArray::close);
        }
    }

    /** Parses our file like the reference does, checks layout rules and bytes, and loads every tensor in torch. */
    static final String PY_CHECK = """
            import sys, os, json, struct
            import numpy as np
            d = sys.argv[1]
            raw = open(os.path.join(d, 'ours.safetensors'), 'rb').read()
            n = struct.unpack('<Q', raw[:8])[0]
            assert n % 8 == 0, n
            header = json.loads(raw[8:8 + n].decode('utf-8'))
            buf = raw[8 + n:]
            meta = header.pop('__metadata__')
            order = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64']
            items = sorted(header.items(), key=lambda kv: kv[1]['data_offsets'])
            pos = 0
            for name, info in items:
                b, e = info['data_offsets']
                assert b == pos, (name, b, pos)
                item = {'BOOL': 1, 'U8': 1, 'I8': 1, 'I16': 2, 'U16': 2, 'F16': 2, 'BF16': 2, 'I32': 4, 'U32': 4,
                        'F32': 4, 'C64': 8, 'F64': 8, 'I64': 8, 'U64': 8}[info['dtype']]
                assert (8 + n + b) % item == 0, ('unaligned', name)
                assert e - b == int(np.prod(info['shape'])) * item, name
                assert buf[b:e] == open(os.path.join(d, name + '.bin'), 'rb').read(), name
                pos = e
            assert pos == len(buf)
            keys = [(-order.index(info['dtype']), name) for name, info in items]
            assert keys == sorted(keys), ('not in reference order', keys)
            have_torch = False
            try:
                import torch
                have_torch = True
            except ImportError:
                pass
            if have_torch:
                tdt = {'BOOL': torch.bool, 'U8': torch.uint8, 'I8': torch.int8, 'I16': torch.int16, 'F16': torch.float16,
                       'BF16': torch.bfloat16, 'I32': torch.int32, 'F32': torch.float32, 'C64': torch.complex64,
                       'F64': torch.float64, 'I64': torch.int64}
                for name, info in items:
                    if info['dtype'] not in tdt:
                        continue
                    b, e = info['data_offsets']
                    t = torch.frombuffer(bytearray(buf[b:e]), dtype=tdt[info['dtype']]) if e > b else torch.zeros(0, dtype=tdt[info['dtype']])
                    t = t.reshape(info['shape'])
                    if info['dtype'] == 'BF16':
                        f32 = np.frombuffer(open(os.path.join(d, name + '.f32.bin'), 'rb').read(), np.float32)
                        assert np.array_equal(t.float().numpy().ravel(), f32), name
                    else:
                        a = np.frombuffer(buf[b:e], dtype=t.numpy().dtype).reshape(info['shape'])
                        assert np.array_equal(t.numpy(), a), name
            print(json.dumps(meta, sort_keys=True), len(items), have_torch)
            """;

    @Test
    void writesFilesThatPythonAndTorchRead(@TempDir Path dir) throws Exception {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        List<NDArray> owned = new ArrayList<>();
        long seed = 50;
        for (DType t : DType.arrayTypes()) {
            if (t == DType.COMPLEX128) {
                continue;
            }
            NDArray a = IoFixtures.patterned(t, seed++, 2, 3);
            owned.add(a);
            tensors.put("t_" + t.numpyName(), a);
        }
        NDArray base = IoFixtures.patterned(DType.FLOAT32, 3, 4, 5);
        owned.add(base);
        tensors.put("transposed", base.transpose()); // written contiguous
        NDArray scalar = IoFixtures.patterned(DType.FLOAT64, 77);
        owned.add(scalar);
        tensors.put("scalar", scalar);
        NDArray empty = NDArray.zeros(DType.INT32, 0, 4);
        owned.add(empty);
        tensors.put("empty", empty);
        try {
            for (var e : tensors.entrySet()) {
                IoFixtures.dump(dir.resolve(e.getKey() + ".bin"), e.getValue());
                if (e.getValue().dtype() == DType.BFLOAT16) {
                    try (NDArray f = e.getValue().astype(DType.FLOAT32)) {
                        IoFixtures.dump(dir.resolve(e.getKey() + ".f32.bin"), f);
                    }
                }
            }
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("format", "np");
            meta.put("quote\"and\\slash", "ü\n");
            Path file = dir.resolve("ours.safetensors");
            SafeTensorsFile.write(file, tensors, meta);
            String expectedMeta = "{\"format\": \"np\", \"quote\\\"and\\\\slash\": \"\\u00fc\\n\"}";
            String out2 = Python.numpy2().run(PY_CHECK, dir.toString()).trim();
            // The NumPy 2 interpreter has no torch on Debian 12 (pyenv's) but does on Debian 13 (/usr/bin/python3).
            String numpy2HasTorch = Python.numpy2().run(
                    "try:\n    import torch\n    print(True)\nexcept ImportError:\n    print(False)\n").trim();
            assertEquals(expectedMeta + " " + tensors.size() + " " + numpy2HasTorch, out2);
            String outTorch = Python.debian().run(PY_CHECK, dir.toString()).trim();
            assertEquals(expectedMeta + " " + tensors.size() + " True", outTorch);
            // and back
            try (SafeTensors st = SafeTensorsFile.open(file)) {
                assertEquals(meta, st.metadata());
                for (var e : tensors.entrySet()) {
                    assertTrue(st.isMemoryMapped(e.getKey()), e.getKey());
                    try (NDArray a = st.get(e.getKey())) {
                        assertEquals(e.getValue().dtype(), a.dtype());
                        assertArrayEquals(e.getValue().shape(), a.shape());
                        assertArrayEquals(IoFixtures.cBytes(e.getValue()), IoFixtures.cBytes(a), e.getKey());
                    }
                }
            }
        } finally {
            owned.forEach(NDArray::close);
        }
    }

    @Test
    void refusesComplex128AndReservedName(@TempDir Path dir) {
        try (NDArray c = NDArray.zeros(DType.COMPLEX128, 2); NDArray f = NDArray.zeros(DType.FLOAT32, 2)) {
            var e1 = assertThrows(IllegalArgumentException.class,
                    () -> SafeTensorsFile.write(dir.resolve("x.safetensors"), Map.of("c", c), null));
            assertTrue(e1.getMessage().contains("complex128"), e1.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class,
                    () -> SafeTensorsFile.write(dir.resolve("y.safetensors"), Map.of("__metadata__", f), null));
            assertTrue(e2.getMessage().contains("reserved"), e2.getMessage());
        }
    }
}
