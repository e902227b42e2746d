package org.tensorbridge.ndarray.io;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Builds reader inputs from parts chosen by the fuzzer (see {@link ReaderFuzzTest#builtFromParts}). */
final class StructuredInputs {
    private static final long[] EDGE_DIMS = {0, 1, 2, 3, 7, 255, 65_535, 1L << 31, 1L << 32, 1L << 40, 1L << 62,
        Long.MAX_VALUE, -1};
    private static final String[] DESCRS = {"'<f4'", "'>f8'", "'|b1'", "'<i8'", "'>u2'", "'<c16'", "'|u1'", "'<f2'",
        "'=i4'", "'<U3'", "'|O'", "'<V8'", "[('a', '<f4')]", "'int32'", "'float64'", "'b'", "'<M8[s]'"};
    private static final String[] ORDERS = {"False", "True", "0", "None", "'False'"};
    private static final String[] ST_DTYPES = {"F32", "F64", "F16", "BF16", "I8", "U8", "I16", "U16", "I32", "U32",
        "I64", "U64", "BOOL", "C64", "F8_E4M3", "F8_E5M2", "F4", "F6_E2M3", "X"};

    private StructuredInputs() {
    }

    static byte[] build(FuzzedDataProvider d) {
        return switch (d.consumeInt(0, 3)) {
            case 0 -> npy(d);
            case 1 -> npz(d, false);
            case 2 -> npz(d, true);
            default -> safetensors(d);
        };
    }

    private static long dim(FuzzedDataProvider d) {
        return d.consumeBoolean() ? d.pickValue(EDGE_DIMS) : d.consumeLong(0, 64);
    }

    private static byte[] npy(FuzzedDataProvider d) {
        int version = d.consumeInt(1, 3);
        String descr = d.consumeBoolean() ? d.pickValue(DESCRS) : "'" + d.consumeAsciiString(6) + "'";
        int ndim = d.consumeBoolean() ? d.consumeInt(0, 4) : d.consumeInt(0, 70);
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < ndim; i++) {
            shape.append(dim(d)).append(d.consumeBoolean() ? ", " : ",");
        }
        shape.append(')');
        String dict = "{'descr': " + descr + ", 'fortran_order': " + d.pickValue(ORDERS) + ", 'shape': " + shape
                + (d.consumeBoolean() ? ", }" : "}");
        byte[] text = dict.getBytes(version == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = version == 1 ? 10 : 12;
        int padded = d.consumeBoolean() ? (int) ((prefix + text.length + 1 + 63) / 64 * 64 - prefix)
                : text.length + d.consumeInt(0, 70);
        ByteBuffer b = ByteBuffer.allocate(prefix + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) version).put((byte) 0);
        long declared = d.consumeBoolean() ? padded : d.consumeLong(0, 70_000);
        if (version == 1) {
            b.putShort((short) declared);
        } else {
            b.putInt((int) declared);
        }
        b.put(text);
        while (b.position() < b.limit() - 1) {
            b.put((byte) ' ');
        }
        if (b.hasRemaining()) {
            b.put((byte) '\n');
        }
        byte[] data = d.consumeBoolean() ? new byte[d.consumeInt(0, 2048)] : d.consumeBytes(2048);
        return CorruptCorpus.cat(b.array(), data);
    }

    private static byte[] npz(FuzzedDataProvider d, boolean deflate) {
        boolean zip64 = d.consumeBoolean();
        List<byte[]> members = new ArrayList<>();
        int n = d.consumeInt(1, 3);
        for (int i = 0; i < n; i++) {
            members.add(npy(d));
        }
        try {
            Path tmp = Files.createTempFile("tb-fuzz-npz", ".npz");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                        ZipWriter zip = new ZipWriter(ch, zip64)) {
                    for (int i = 0; i < members.size(); i++) {
                        byte[] m = members.get(i);
                        int split = Math.min(m.length, 64);
                        byte[] head = java.util.Arrays.copyOf(m, split);
                        zip.add("m" + i + ".npy", head, MemorySegment.ofArray(m).asSlice(split), deflate);
                    }
                }
                return Files.readAllBytes(tmp);
            } finally {
                Files.delete(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] safetensors(FuzzedDataProvider d) {
        StringBuilder json = new StringBuilder("{");
        if (d.consumeBoolean()) {
            json.append("\"__metadata__\":{\"format\":").append(d.consumeBoolean() ? "\"pt\"" : "1").append("},");
        }
        int n = d.consumeInt(0, 3);
        long offset = 0;
        for (int i = 0; i < n; i++) {
            String dtype = d.pickValue(ST_DTYPES);
            int ndim = d.consumeInt(0, 3);
            StringBuilder shape = new StringBuilder("[");
            long bytes = 1;
            for (int k = 0; k < ndim; k++) {
                long v = dim(d);
                shape.append(k > 0 ? "," : "").append(v);
                bytes *= v;
            }
            shape.append(']');
            long begin = d.consumeBoolean() ? offset : dim(d);
            long end = d.consumeBoolean() ? begin + bytes * 4 : dim(d);
            json.append(i > 0 ? "," : "").append("\"t").append(i).append("\":{\"dtype\":\"").append(dtype)
                    .append("\",\"shape\":").append(shape).append(",\"data_offsets\":[").append(begin).append(',')
                    .append(end).append("]}");
            offset = end;
        }
        json.append('}');
        byte[] h = json.toString().getBytes(StandardCharsets.UTF_8);
        int pad = d.consumeBoolean() ? (8 - h.length % 8) % 8 : 0;
        long declared = d.consumeBoolean() ? h.length + pad : d.consumeLong(-1, 200_000);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + pad).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declared).put(h);
        while (b.hasRemaining()) {
            b.put((byte) ' ');
        }
        long want = Math.max(0, Math.min(offset, 4096));
        byte[] data = d.consumeBoolean() ? new byte[(int) want] : d.consumeBytes(4096);
        return CorruptCorpus.cat(b.array(), data);
    }
}
