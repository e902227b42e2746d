package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDBuffer;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files: an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON
 * {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}}, then
 * the byte buffer.
 *
 * <p>Reading applies the reference (Rust crate) validation: header at most 100,000,000 bytes, valid UTF-8 JSON
 * object starting with {@code '{'}, {@code __metadata__} a string-to-string map, known dtypes, shapes of
 * non-negative integers whose byte size does not overflow, offsets that (sorted) start at 0, are contiguous
 * and non-overlapping, match {@code numel * itemsize} and end exactly at the end of the file. Duplicate keys
 * are refused.
 *
 * <p>Writing orders tensors like the reference implementation: by dtype alignment descending (the spec's dtype
 * order, F64/I64/U64 first), then by name; the header is padded with spaces to a multiple of 8 bytes, so every
 * tensor is aligned to its element size. {@code __metadata__} is written first when non-empty.
 */
public final class SafeTensorsFile {
    /** The reference implementation's header size limit. */
    public static final long MAX_HEADER_SIZE = 100_000_000L;

    private SafeTensorsFile() {
    }

    /** Safetensors dtypes in the specification's order (increasing alignment), with bit sizes. */
    enum SafeDType {
        BOOL(8, DType.BOOL), F4(4, null), F6_E2M3(6, null), F6_E3M2(6, null), U8(8, DType.UINT8), I8(8, DType.INT8),
        F8_E5M2(8, null), F8_E4M3(8, null), F8_E8M0(8, null), I16(16, DType.INT16), U16(16, DType.UINT16),
        F16(16, DType.FLOAT16), BF16(16, DType.BFLOAT16), I32(32, DType.INT32), U32(32, DType.UINT32),
        F32(32, DType.FLOAT32), C64(64, DType.COMPLEX64), F64(64, DType.FLOAT64), I64(64, DType.INT64),
        U64(64, DType.UINT64);

        final int bits;
        final DType dtype;

        SafeDType(int bits, DType dtype) {
            this.bits = bits;
            this.dtype = dtype;
        }

        static SafeDType of(DType t) {
            for (SafeDType s : values()) {
                if (s.dtype == t) {
                    return s;
                }
            }
            throw new IllegalArgumentException("safetensors has no " + t.numpyName() + " dtype (complex support is"
                    + " C64 = complex64 only): convert with astype(DType.COMPLEX64) or save as .npy/.npz");
        }

        static SafeDType parse(String s) {
            for (SafeDType d : values()) {
                if (d.name().equals(s)) {
                    return d;
                }
            }
            return null;
        }
    }

    /** Opens the file memory-mapped read-only. */
    public static SafeTensors open(Path path) throws IOException {
        return open(path, MmapMode.READ_ONLY);
    }

    /** Opens the file memory-mapped in {@code mode}; null copies every tensor on {@link SafeTensors#get}. */
    public static SafeTensors open(Path path, MmapMode mode) throws IOException {
        MmapMode m = mode == null ? MmapMode.READ_ONLY : mode;
        Arena arena = Arena.ofShared();
        NDBuffer buf;
        try {
            buf = NDBuffer.ofArena(FileMapping.map(path, m, arena), arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
        try {
            return parse(path, buf, mode);
        } catch (IOException | RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /** Reads every tensor into fresh owning arrays, in data-offset order. */
    public static Map<String, NDArray> read(Path path) throws IOException {
        try (SafeTensors file = open(path, null)) {
            return file.readAll();
        }
    }

    private static SafeTensors parse(Path path, NDBuffer buf, MmapMode mode) throws ArrayFileFormatException {
        MemorySegment file = buf.segment();
        long size = file.byteSize();
        if (size < 8) {
            throw ArrayFileFormatException.in(path, "file is " + size + " bytes; a safetensors file starts with an"
                    + " 8-byte header length (HeaderTooSmall): the file is truncated or not safetensors");
        }
        long n = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 0 || n > MAX_HEADER_SIZE) {
            throw ArrayFileFormatException.at(path, 0, "header length " + Long.toUnsignedString(n) + " exceeds the"
                    + " safetensors limit of " + MAX_HEADER_SIZE + " bytes (HeaderTooLarge): not a safetensors file,"
                    + " or corrupt");
        }
        if (8 + n > size) {
            throw ArrayFileFormatException.at(path, 0, "header length " + n + " runs past the end of the " + size
                    + "-byte file (InvalidHeaderLength): the file is truncated");
        }
        byte[] raw = file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw ArrayFileFormatException.at(path, 8, "header is not valid UTF-8 (InvalidHeader): " + e);
        }
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw ArrayFileFormatException.at(path, 8, "header must start with '{' (InvalidHeaderStart), found "
                    + (text.isEmpty() ? "an empty header" : PyLiteral.abbreviate(text.substring(0, Math.min(20, text.length())))));
        }
        Object root = Json.parse(text, path.toString(), 8);
        if (!(root instanceof Map<?, ?> top)) {
            throw ArrayFileFormatException.at(path, 8, "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<SafeTensors.TensorInfo> list = new ArrayList<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> md)) {
                    throw ArrayFileFormatException.at(path, 8, "__metadata__ must be an object of strings, found "
                            + describe(e.getValue()));
                }
                for (Map.Entry<?, ?> m : md.entrySet()) {
                    if (!(m.getValue() instanceof String v)) {
                        throw ArrayFileFormatException.at(path, 8, "__metadata__ values must be strings, but \""
                                + m.getKey() + "\" is " + describe(m.getValue()));
                    }
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            list.add(tensorInfo(path, key, e.getValue()));
        }
        list.sort(Comparator.comparingLong(SafeTensors.TensorInfo::begin).thenComparingLong(SafeTensors.TensorInfo::end));
        long start = 0;
        Map<String, SafeTensors.TensorInfo> tensors = new LinkedHashMap<>();
        for (SafeTensors.TensorInfo t : list) {
            if (t.begin() != start || t.end() < t.begin()) {
                throw ArrayFileFormatException.at(path, 8 + n + Math.min(t.begin(), Math.max(0, size - 8 - n)),
                        "tensor '" + t.name() + "' has data_offsets [" + t.begin() + ", " + t.end() + "] but must start"
                        + " at " + start + " (offsets must be contiguous and non-overlapping from 0) (InvalidOffset)");
            }
            SafeDType sd = SafeDType.parse(t.dtypeName());
            long bits = sd.bits;
            for (long d : t.shape()) {
                bits = mulOrFail(bits, d, path, t);
            }
            if (bits % 8 != 0) {
                throw ArrayFileFormatException.in(path, "tensor '" + t.name() + "' of " + t.dtypeName() + " shape "
                        + java.util.Arrays.toString(t.shape()) + " is not a whole number of bytes (" + bits + " bits)");
            }
            long bytes = bits / 8;
            if (t.end() - t.begin() != bytes) {
                throw ArrayFileFormatException.in(path, "tensor '" + t.name() + "': " + t.dtypeName() + " shape "
                        + java.util.Arrays.toString(t.shape()) + " needs " + bytes + " bytes but data_offsets ["
                        + t.begin() + ", " + t.end() + "] span " + (t.end() - t.begin()) + " (TensorInvalidInfo)");
            }
            start = t.end();
            tensors.put(t.name(), t);
        }
        long buffer = size - 8 - n;
        if (start != buffer) {
            throw ArrayFileFormatException.at(path, 8 + n, "the tensors cover " + start + " bytes but the byte buffer"
                    + " after the header is " + buffer + " bytes (MetadataIncompleteBuffer): "
                    + (start > buffer ? "the file is truncated" : "the file has bytes no tensor covers"));
        }
        return new SafeTensors(path, buf, mode, 8 + n, tensors, metadata);
    }

    private static long mulOrFail(long a, long b, Path path, SafeTensors.TensorInfo t) throws ArrayFileFormatException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw ArrayFileFormatException.in(path, "tensor '" + t.name() + "' shape "
                    + java.util.Arrays.toString(t.shape()) + " overflows 64 bits (ValidationOverflow)");
        }
    }

    private static String describe(Object v) {
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String s) {
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        return String.valueOf(v);
    }

    private static SafeTensors.TensorInfo tensorInfo(Path path, String name, Object v) throws ArrayFileFormatException {
        String where = "tensor '" + name + "': ";
        if (!(v instanceof Map<?, ?> m)) {
            throw ArrayFileFormatException.at(path, 8, where + "expected an object with dtype, shape and data_offsets,"
                    + " found " + describe(v));
        }
        Object dt = m.get("dtype");
        Object shapeObj = m.get("shape");
        Object offs = m.get("data_offsets");
        if (dt == null || shapeObj == null || offs == null) {
            throw ArrayFileFormatException.at(path, 8, where + "missing field(s): needs \"dtype\", \"shape\" and"
                    + " \"data_offsets\", found " + m.keySet());
        }
        if (!(dt instanceof String dtName)) {
            throw ArrayFileFormatException.at(path, 8, where + "dtype must be a string, found " + describe(dt));
        }
        SafeDType sd = SafeDType.parse(dtName);
        if (sd == null) {
            throw ArrayFileFormatException.at(path, 8, where + "unknown dtype \"" + dtName + "\"; the safetensors"
                    + " dtypes are BOOL, U8, I8, I16, U16, I32, U32, I64, U64, F16, BF16, F32, F64, C64, F8_E5M2,"
                    + " F8_E4M3, F8_E8M0, F6_E2M3, F6_E3M2, F4");
        }
        if (!(shapeObj instanceof List<?> shapeList)) {
            throw ArrayFileFormatException.at(path, 8, where + "shape must be an array, found " + describe(shapeObj));
        }
        if (shapeList.size() > NpyHeader.MAX_DIMS) {
            throw ArrayFileFormatException.at(path, 8, where + "shape has " + shapeList.size()
                    + " dimensions, more than the maximum " + NpyHeader.MAX_DIMS);
        }
        long[] shape = new long[shapeList.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegative(path, where + "shape[" + i + "]", shapeList.get(i));
        }
        if (!(offs instanceof List<?> offList) || offList.size() != 2) {
            throw ArrayFileFormatException.at(path, 8, where + "data_offsets must be an array [begin, end], found "
                    + describe(offs));
        }
        long begin = nonNegative(path, where + "data_offsets[0]", offList.get(0));
        long end = nonNegative(path, where + "data_offsets[1]", offList.get(1));
        return new SafeTensors.TensorInfo(name, dtName, sd.dtype, shape, begin, end);
    }

    private static long nonNegative(Path path, String what, Object v) throws ArrayFileFormatException {
        if (!(v instanceof BigInteger bi)) {
            throw ArrayFileFormatException.at(path, 8, what + " must be a non-negative integer, found " + describe(v));
        }
        if (bi.signum() < 0) {
            throw ArrayFileFormatException.at(path, 8, what + " must be non-negative, found " + bi);
        }
        if (bi.bitLength() > 63) {
            throw ArrayFileFormatException.at(path, 8, what + " = " + bi + " is too large (ValidationOverflow)");
        }
        return bi.longValue();
    }

    /** Writes {@code tensors} without metadata. */
    public static void write(Path path, Map<String, NDArray> tensors) throws IOException {
        write(path, tensors, null);
    }

    /**
     * Writes {@code tensors} and optional string {@code metadata} ({@code __metadata__}). Non-C-contiguous arrays
     * are made contiguous (safetensors has no strides).
     *
     * @throws IllegalArgumentException for COMPLEX128 (no safetensors dtype) or a tensor named "__metadata__"
     */
    public static void write(Path path, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        record Item(String name, SafeDType dtype, NDArray array) {
        }
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("\"__metadata__\" is reserved and cannot name a tensor");
            }
            items.add(new Item(e.getKey(), SafeDType.of(e.getValue().dtype()), e.getValue()));
        }
        items.sort(Comparator.comparing(Item::dtype, Comparator.reverseOrder()).thenComparing(Item::name));
        StringBuilder json = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            Json.writeString(json, "__metadata__");
            json.append(":{");
            boolean first = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                Json.writeString(json, m.getKey());
                json.append(':');
                Json.writeString(json, m.getValue());
            }
            json.append('}');
        }
        long offset = 0;
        for (Item it : items) {
            if (json.length() > 1) {
                json.append(',');
            }
            Json.writeString(json, it.name());
            json.append(":{\"dtype\":\"").append(it.dtype().name()).append("\",\"shape\":[");
            long[] shape = it.array().shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) {
                    json.append(',');
                }
                json.append(shape[i]);
            }
            long nb = it.array().nbytes();
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + nb).append("]}");
            offset += nb;
        }
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - header.length % 8) % 8;
        if (header.length + pad > MAX_HEADER_SIZE) {
            throw new IllegalArgumentException("safetensors header would be " + (header.length + pad) + " bytes, over"
                    + " the format's limit of " + MAX_HEADER_SIZE);
        }
        ByteBuffer head = ByteBuffer.allocate(8 + header.length + pad).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(header.length + pad).put(header);
        for (int i = 0; i < pad; i++) {
            head.put((byte) ' ');
        }
        ArrayIo.writeAtomically(path, ch -> {
            ArrayIo.writeFully(ch, head.array());
            for (Item it : items) {
                try (ArrayIo.Layout layout = ArrayIo.layout(it.array(), false)) {
                    ArrayIo.writeFully(ch, layout.data());
                }
            }
        });
    }
}
