package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.tensorbridge.ndarray.NDArray;

/**
 * Generates, at test time, a corpus of bad .npy, .npz and safetensors files: each must be refused by every
 * reader with an {@link ArrayFileFormatException}.
 */
final class CorruptCorpus {
    private CorruptCorpus() {
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A .npy file with the given version and raw header text (no padding added), then {@code data} bytes. */
    static byte[] npy(int major, String header, int dataBytes) {
        byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(8 + (major == 1 ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put(ascii("NUMPY")).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) h.length);
        } else {
            b.putInt(h.length);
        }
        return cat(b.array(), h, new byte[dataBytes]);
    }

    static String dict(String descr, String fortran, String shape) {
        return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
    }

    static byte[] safetensors(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        return cat(b.array(), h, new byte[dataBytes]);
    }

    static byte[] withLong(byte[] bytes, int at, long v) {
        byte[] c = bytes.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return c;
    }

    static byte[] withInt(byte[] bytes, int at, int v) {
        byte[] c = bytes.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return c;
    }

    static byte[] withShort(byte[] bytes, int at, int v) {
        byte[] c = bytes.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) v);
        return c;
    }

    static int u32(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    /** A valid single-entry npz written by us (stored or deflated), as bytes. */
    static byte[] validNpz(Path tmp, boolean compressed) throws Exception {
        Path p = tmp.resolve("valid" + compressed + ".npz");
        try (NDArray a = IoFixtures.patterned(DType.FLOAT32, 3, 16, 16)) {
            Map<String, NDArray> m = new LinkedHashMap<>();
            m.put("a", a);
            NpzFile.write(p, m, compressed);
        }
        return Files.readAllBytes(p);
    }

    static byte[] validNpy(Path tmp) throws Exception {
        Path p = tmp.resolve("valid.npy");
        try (NDArray a = IoFixtures.patterned(DType.INT32, 4, 8, 8)) {
            NpyFile.write(p, a);
        }
        return Files.readAllBytes(p);
    }

    static byte[] validSafetensors(Path tmp) throws Exception {
        Path p = tmp.resolve("valid.safetensors");
        try (NDArray a = IoFixtures.patterned(DType.FLOAT32, 3, 4, 4);
                NDArray b = IoFixtures.patterned(DType.INT8, 4, 5)) {
            Map<String, NDArray> m = new LinkedHashMap<>();
            m.put("a", a);
            m.put("b", b);
            SafeTensorsFile.write(p, m, Map.of("k", "v"));
        }
        return Files.readAllBytes(p);
    }

    /** A single-entry zip holding {@code content} deflated, with the declared uncompressed size {@code declared}. */
    static byte[] deflatedZip(byte[] content, long declared) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(content);
        d.finish();
        byte[] buf = new byte[content.length + 1024];
        int n = d.deflate(buf);
        d.end();
        byte[] comp = Arrays.copyOf(buf, n);
        CRC32 crc = new CRC32();
        crc.update(content);
        byte[] name = ascii("a.npy");
        ByteBuffer b = ByteBuffer.allocate(30 + name.length + comp.length + 46 + name.length + 22)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 8).putInt(0)
                .putInt((int) crc.getValue()).putInt(comp.length).putInt((int) declared)
                .putShort((short) name.length).putShort((short) 0).put(name).put(comp);
        int cd = b.position();
        b.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 8)
                .putInt(0).putInt((int) crc.getValue()).putInt(comp.length).putInt((int) declared)
                .putShort((short) name.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0).putInt(0).putInt(0).put(name);
        int cdSize = b.position() - cd;
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 1).putShort((short) 1)
                .putInt(cdSize).putInt(cd).putShort((short) 0);
        return b.array();
    }

    static Map<String, byte[]> build(Path tmp) throws Exception {
        Map<String, byte[]> c = new LinkedHashMap<>();
        byte[] npy = validNpy(tmp);
        String ok = dict("'<f4'", "False", "(2, 3)");
        // ---- npy
        c.put("empty-file", new byte[0]);
        c.put("npy-magic-only", Arrays.copyOf(npy, 5));
        c.put("npy-no-length", Arrays.copyOf(npy, 9));
        c.put("npy-bad-magic", cat(ascii("\u0093NUMPX"), Arrays.copyOfRange(npy, 6, npy.length)));
        c.put("npy-version-4", withShort(npy, 6, 4));
        c.put("npy-version-1.1", withShort(npy, 6, 0x0101));
        c.put("npy-header-truncated", Arrays.copyOf(npy, 40));
        c.put("npy-data-truncated", Arrays.copyOf(npy, npy.length - 3));
        c.put("npy-header-over-limit", npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"
                + " ".repeat(10_001) + "\n", 4));
        c.put("npy-v1-header-65535", withShort(npy(1, ok, 24), 8, 0xFFFF));
        c.put("npy-v2-header-4GB", withInt(npy(2, ok, 24), 8, -1));
        c.put("npy-unterminated-dict", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", 24));
        c.put("npy-not-a-dict", npy(1, "[1, 2, 3]\n", 24));
        c.put("npy-missing-key", npy(1, "{'descr': '<f4', 'shape': (2, 3), }\n", 24));
        c.put("npy-extra-key", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}\n", 24));
        c.put("npy-negative-dim", npy(1, dict("'<f4'", "False", "(2, -3)"), 24));
        c.put("npy-shape-list", npy(1, dict("'<f4'", "False", "[2, 3]"), 24));
        c.put("npy-shape-float", npy(1, dict("'<f4'", "False", "(2.0, 3)"), 24));
        c.put("npy-shape-int", npy(1, dict("'<f4'", "False", "6"), 24));
        c.put("npy-fortran-int", npy(1, dict("'<f4'", "1", "(2, 3)"), 24));
        c.put("npy-object", npy(1, dict("'|O'", "False", "(2, 3)"), 48));
        c.put("npy-structured", npy(1, dict("[('a', '<f4'), ('b', '<i4')]", "False", "(2,)"), 16));
        c.put("npy-unknown-descr", npy(1, dict("'<f16'", "False", "(2,)"), 32));
        c.put("npy-unicode-descr", npy(1, dict("'<U5'", "False", "(2,)"), 40));
        c.put("npy-descr-not-string", npy(1, dict("4", "False", "(2,)"), 32));
        c.put("npy-shape-overflow", npy(1, dict("'<f8'", "False", "(4294967296, 4294967296)"), 8));
        c.put("npy-dim-too-big", npy(1, dict("'<f8'", "False", "(99999999999999999999999,)"), 8));
        c.put("npy-huge-shape-small-file", npy(1, dict("'<f4'", "False", "(1000000000000,)"), 64));
        c.put("npy-deep-nesting", npy(2, "(".repeat(5000) + ")".repeat(5000), 0));
        c.put("npy-v3-bad-utf8", badUtf8V3());
        c.put("npy-v3-long-suffix", npy(3, dict("'<f4'", "False", "(2L, 3L)"), 24));
        c.put("npy-bad-string-escape", npy(1, "{'descr': '<f4\\x9', 'fortran_order': False, 'shape': (2,), }", 8));
        c.put("npy-name-not-literal", npy(1, dict("float32", "False", "(2,)"), 8));
        // found by reading the parsers while fuzzing: Python's int literals are ASCII, '_' only between digits
        c.put("npy-shape-double-underscore", npy(1, dict("'<f4'", "False", "(1__0,)"), 40));
        c.put("npy-shape-trailing-underscore", npy(1, dict("'<f4'", "False", "(10_,)"), 40));
        c.put("npy-shape-arabic-digit", npy(3, dict("'<f4'", "False", "(1\u0663,)"), 52));
        c.put("npy-shape-negative-arabic-digit", npy(3, dict("'<f4'", "False", "(-\u0663,)"), 12));
        c.put("npy-too-many-dims", npy(1, dict("'<f4'", "False", "(" + "1, ".repeat(65) + ")"), 4));
        // ---- npz
        byte[] stored = validNpz(tmp, false);
        byte[] deflated = validNpz(tmp, true);
        int eocd = stored.length - 22;
        int cd = u32(stored, eocd + 16);
        c.put("npz-truncated-half", Arrays.copyOf(stored, stored.length / 2));
        c.put("npz-truncated-eocd", Arrays.copyOf(stored, stored.length - 5));
        c.put("npz-cd-offset-past-end", withInt(stored, eocd + 16, stored.length + 100));
        c.put("npz-cd-size-huge", withInt(stored, eocd + 12, 0x7fffff00));
        c.put("npz-entry-count-lies", withShort(stored, eocd + 10, 0xFFFE));
        // found by the fuzzer (NumPy refuses both, we accepted them): a zero total entry count read as an empty
        // archive; bytes between the central directory and the end record
        c.put("npz-entry-count-zero", withShort(stored, eocd + 10, 0));
        c.put("npz-gap-before-eocd", cat(Arrays.copyOf(stored, eocd), new byte[11], Arrays.copyOfRange(stored, eocd,
                stored.length)));
        c.put("npz-zip64-markers-without-locator", withInt(stored, eocd + 16, -1));
        c.put("npz-stored-size-mismatch", withInt(stored, cd + 20, 12));
        c.put("npz-stored-size-too-large", withInt(withInt(stored, cd + 20, 0x7fff0000), cd + 24, 0x7fff0000));
        c.put("npz-local-offset-wrong", withInt(stored, cd + 42, 7));
        c.put("npz-local-offset-past-cd", withInt(stored, cd + 42, cd + 10));
        c.put("npz-local-name-differs", withShort(stored, 30, 0x2e62));  // "b." for "a." in the local header's name
        c.put("npz-encrypted", withShort(stored, cd + 8, 1));
        c.put("npz-bzip2", withShort(stored, cd + 10, 12));
        c.put("npz-cd-signature-broken", withInt(stored, cd, 0x12345678));
        c.put("npz-name-length-huge", withShort(stored, cd + 28, 0xFFFF));
        c.put("npz-zip64-size-without-extra", withInt(withInt(stored, cd + 20, -1), cd + 24, -1));
        int deocd = deflated.length - 22;
        int dcd = u32(deflated, deocd + 16);
        int usize = u32(deflated, dcd + 24);
        c.put("npz-deflated-declares-less", withInt(deflated, dcd + 24, usize - 100));
        c.put("npz-deflated-declares-more", withInt(deflated, dcd + 24, usize + 100));
        c.put("npz-deflated-declares-huge", withInt(deflated, dcd + 24, 0x7fffffff));
        c.put("npz-deflated-corrupt-stream", corruptDeflate(deflated, dcd));
        c.put("npz-deflated-crc-wrong", withInt(deflated, dcd + 16, 0x1234567));
        c.put("npz-deflated-truncated-stream", withInt(deflated, dcd + 20, u32(deflated, dcd + 20) / 2));
        // deflated entry whose npy header claims a huge array: must not allocate it
        c.put("npz-deflated-huge-shape", deflatedZip(npy(1, dict("'<f8'", "False", "(100000000000,)"), 16), 16 * 4 + 100));
        c.put("npz-deflated-bomb-lie", deflatedZip(npy(1, dict("'<f4'", "False", "(1000,)"), 4000), 200));
        c.put("npz-deflated-longer-than-declared", deflatedZip(cat(npy, new byte[16]), npy.length));
        c.put("npz-not-npy-member", deflatedZip(ascii("hello, this is not an npy file at all"), 37));
        c.put("npz-zip64-locator-garbage", zip64LocatorGarbage(stored));
        // ---- safetensors
        byte[] st = validSafetensors(tmp);
        long n = ByteBuffer.wrap(st).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        c.put("st-7-bytes", Arrays.copyOf(st, 7));
        c.put("st-header-len-negative", withLong(st, 0, -5));
        c.put("st-header-too-large", withLong(st, 0, 100_000_001L));
        c.put("st-header-past-eof", withLong(st, 0, st.length));
        c.put("st-data-truncated", Arrays.copyOf(st, st.length - 1));
        c.put("st-data-extra", cat(st, new byte[8]));
        c.put("st-not-brace", safetensors("[{\"a\":1}]", 0));
        c.put("st-bad-utf8", cat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(4).array(),
                new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}));
        c.put("st-bad-json-trailing-comma", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},}", 4));
        c.put("st-bad-json-truncated", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],", 4));
        c.put("st-duplicate-key", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        c.put("st-overlap", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12));
        c.put("st-gap", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12));
        c.put("st-not-from-zero", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        c.put("st-end-before-begin", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4));
        c.put("st-size-mismatch", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8));
        c.put("st-offsets-out-of-range", safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[1000000],"
                + "\"data_offsets\":[0,1000000]}}", 8));
        c.put("st-negative-shape", safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4));
        c.put("st-shape-overflow", safetensors("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296,16],"
                + "\"data_offsets\":[0,0]}}", 0));
        c.put("st-offset-huge", safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],"
                + "\"data_offsets\":[0,99999999999999999999999]}}", 1));
        c.put("st-offset-float", safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1.0]}}", 1));
        c.put("st-unknown-dtype", safetensors("{\"a\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16));
        c.put("st-unsupported-f8", safetensors("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2));
        c.put("st-metadata-not-string", safetensors("{\"__metadata__\":{\"k\":1},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1));
        c.put("st-metadata-exponent-overflow", safetensors("{\"__metadata__\":{\"k\":1e-2147483649},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1));
        c.put("st-metadata-array", safetensors("{\"__metadata__\":[\"k\"]}", 0));
        c.put("st-tensor-not-object", safetensors("{\"a\":[1,2]}", 0));
        c.put("st-missing-offsets", safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1));
        c.put("st-three-offsets", safetensors("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1,2]}}", 1));
        c.put("st-deep-nesting", safetensors("{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}", 0));
        c.put("st-trailing-garbage", safetensors("{} x", 0));
        c.put("st-lone-surrogate", safetensors("{\"\\ud800\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},}", 1));
        c.put("st-control-char", safetensors("{\"a\nb\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1));
        c.put("st-header-len-shifted", withLong(st, 0, n - 1));
        return c;
    }

    private static byte[] badUtf8V3() {
        byte[] h = npy(3, dict("'<f4'", "False", "(2,)"), 8);
        h[20] = (byte) 0xFF; // inside the header text
        return h;
    }

    private static byte[] corruptDeflate(byte[] deflated, int dcd) {
        int lho = u32(deflated, dcd + 42);
        int data = lho + 30 + (deflated[lho + 26] & 0xff) + ((deflated[lho + 28] & 0xff) | (deflated[lho + 29] & 0xff) << 8);
        byte[] c = deflated.clone();
        for (int i = data; i < data + 12 && i < c.length; i++) {
            c[i] = (byte) 0xFF; // invalid block types
        }
        return c;
    }

    private static byte[] zip64LocatorGarbage(byte[] stored) {
        int eocd = stored.length - 22;
        ByteBuffer loc = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        loc.putInt(0x07064b50).putInt(0).putLong(1L << 40).putInt(1);
        byte[] eocdBytes = Arrays.copyOfRange(stored, eocd, stored.length);
        return cat(Arrays.copyOf(stored, eocd), loc.array(), eocdBytes);
    }
}
