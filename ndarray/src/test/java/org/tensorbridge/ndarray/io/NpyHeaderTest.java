package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NpyHeaderTest {
    static NpyHeader parse(byte[] b) throws ArrayFileFormatException {
        return NpyHeader.parse(MemorySegment.ofArray(b), "test");
    }

    @Test
    void formatParsesBackAndAligns() throws Exception {
        long[][] shapes = {{}, {5}, {2, 3}, {0, 7}, {1, 2, 3, 4, 5, 6}};
        for (int v = 0; v <= 3; v++) {
            for (long[] s : shapes) {
                for (boolean f : new boolean[] {false, true}) {
                    byte[] b = NpyHeader.format(DType.COMPLEX64, s, f, v);
                    assertEquals(0, b.length % 64);
                    assertEquals('\n', b[b.length - 1]);
                    NpyHeader h = parse(b);
                    assertArrayEquals(s, h.shape());
                    assertEquals(f, h.fortranOrder());
                    assertEquals(DType.COMPLEX64, h.dtype());
                    assertEquals(b.length, h.dataOffset());
                    assertEquals(v == 0 ? 1 : v, h.majorVersion());
                }
            }
        }
    }

    @Test
    void acceptsNumpyVariants() throws Exception {
        String[] ok = {"{'descr': '>f8', 'fortran_order': True, 'shape': (2,3)}",
                "{\"descr\": \"|b1\", \"fortran_order\": False, \"shape\": ()}",
                "{'shape': (4,), 'descr': '<c16', 'fortran_order': False,}",
                "{'descr': '<i8', 'fortran_order': False, 'shape': (2L, 3L), }"};
        for (String s : ok) {
            NpyHeader h = parse(CorruptCorpus.npy(1, s + "\n", 1000));
            assertTrue(h.dataOffset() > 10, s);
        }
        assertTrue(parse(CorruptCorpus.npy(1, ok[0], 0)).bigEndian());
    }

    @Test
    void headerLimitMessageIsClear() {
        byte[] b = CorruptCorpus.npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }" + " ".repeat(10_001), 4);
        var e = assertThrows(ArrayFileFormatException.class, () -> parse(b));
        assertTrue(e.getMessage().contains("10000") && e.getMessage().contains("max_header_size"), e.getMessage());
    }

    @Test
    void objectArraysAreRefusedWithPickleHint() {
        byte[] b = CorruptCorpus.npy(1, CorruptCorpus.dict("'|O'", "False", "(2,)"), 16);
        var e = assertThrows(ArrayFileFormatException.class, () -> parse(b));
        assertTrue(e.getMessage().contains("pickled object arrays are not supported"), e.getMessage());
    }

    @Test
    void headerBytesMatchNumpyForEveryDtype() {
        StringBuilder py = new StringBuilder("import io, numpy as np\n");
        StringBuilder expected = new StringBuilder();
        for (DType t : DType.arrayTypes()) {
            if (t == DType.BFLOAT16) {
                continue;
            }
            for (String shape : new String[] {"()", "(3,)", "(2, 1000000)", "(0, 5)"}) {
                py.append("b = io.BytesIO(); np.save(b, np.zeros(").append(shape).append(", dtype='")
                        .append(t.numpyName()).append("')); print(b.getvalue()[:b.getvalue().index(b'\\n') + 1].hex())\n");
                long[] s = shape.equals("()") ? new long[0] : java.util.Arrays.stream(shape.replaceAll("[() ]", "")
                        .split(",")).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
                expected.append(java.util.HexFormat.of().formatHex(NpyHeader.format(t, s, false))).append('\n');
            }
        }
        String out = org.tensorbridge.testkit.Python.numpy2().run(py.toString());
        assertEquals(expected.toString(), out);
        assertTrue(new String(NpyHeader.format(DType.FLOAT32, new long[] {2, 3}, false), StandardCharsets.ISO_8859_1)
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 10));
    }
}
