package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a {@code .npy} file (NumPy's {@code numpy/lib/format.py}): magic {@code \x93NUMPY}, version
 * major/minor, header length (u16 for 1.0, u32 for 2.0 and 3.0), then a Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} (latin-1 for 1.0/2.0, UTF-8 for 3.0)
 * padded with spaces and a final {@code '\n'} so the data starts at a multiple of 64 bytes.
 *
 * @param majorVersion  1, 2 or 3
 * @param minorVersion  0
 * @param dtype         element type
 * @param bigEndian     true when the data is stored big-endian ({@code '>'} descr of a multi-byte type)
 * @param fortranOrder  true when the data is stored column-major
 * @param shape         the shape (empty for a 0-d array)
 * @param dataOffset    the byte offset of the data from the start of the file (the header's total length)
 */
public record NpyHeader(int majorVersion, int minorVersion, DType dtype, boolean bigEndian, boolean fortranOrder,
        long[] shape, long dataOffset) {

    /** NumPy's default {@code max_header_size} for reading (numpy >= 1.24): headers longer are refused. */
    public static final int MAX_HEADER_SIZE = 10_000;
    /** NumPy's {@code ARRAY_ALIGN}: data starts at a multiple of this. */
    public static final int ARRAY_ALIGN = 64;
    /** The most dimensions accepted (NumPy 2's limit). */
    public static final int MAX_DIMS = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Set<Object> EXPECTED_KEYS = Set.of("descr", "fortran_order", "shape");
    private static final Pattern DESCR = Pattern.compile("([<>|=]?)([a-zA-Z])(\\d*)");

    public NpyHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (product of the shape). */
    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Bytes of array data that follow the header. */
    public long dataBytes() {
        return size() * dtype.byteSize();
    }

    /** The descr string as NumPy writes it, e.g. {@code '<f4'}, {@code '|b1'}, {@code '>i4'}. */
    public String descr() {
        return descrOf(dtype, bigEndian);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.majorVersion == majorVersion && h.minorVersion == minorVersion
                && h.dtype == dtype && h.bigEndian == bigEndian && h.fortranOrder == fortranOrder
                && Arrays.equals(h.shape, shape) && h.dataOffset == dataOffset;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + dtype.hashCode() + Long.hashCode(dataOffset);
    }

    @Override
    public String toString() {
        return "NpyHeader[version=" + majorVersion + "." + minorVersion + ", descr=" + descr() + ", fortran_order="
                + fortranOrder + ", shape=" + pyShape(shape) + ", dataOffset=" + dataOffset + "]";
    }

    // ------------------------------------------------------------------------------------------------ parsing

    /**
     * Parses the header at the start of {@code file} (typically the whole file, mapped; only the header bytes
     * are touched). Validates magic, version, the {@link #MAX_HEADER_SIZE} limit, the dict, the descr and the
     * shape (no negative dims, no overflow of the byte size), but not whether the data is present.
     *
     * @param source named in error messages (e.g. the path)
     */
    public static NpyHeader parse(MemorySegment file, Object source) throws ArrayFileFormatException {
        long len = file.byteSize();
        if (len < MAGIC.length + 2) {
            throw ArrayFileFormatException.in(source, "file is " + len + " bytes, too short to be a .npy file"
                    + " (the magic string and version alone take 8 bytes); it is truncated or not a .npy file");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (file.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
                byte[] found = file.asSlice(0, MAGIC.length).toArray(ValueLayout.JAVA_BYTE);
                throw ArrayFileFormatException.at(source, i, "not a .npy file: expected the magic string "
                        + "\\x93NUMPY, found " + hex(found) + " (pass .npz files to NpzFile, safetensors to"
                        + " SafeTensorsFile)");
            }
        }
        int major = Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, 6));
        int minor = Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, 7));
        if (!((major == 1 || major == 2 || major == 3) && minor == 0)) {
            throw ArrayFileFormatException.at(source, 6, "unsupported .npy format version " + major + "." + minor
                    + "; NumPy and this reader support 1.0, 2.0 and 3.0");
        }
        int lenBytes = major == 1 ? 2 : 4;
        long prefix = 8 + lenBytes;
        if (len < prefix) {
            throw ArrayFileFormatException.at(source, 8, "file ends inside the header-length field (file is " + len
                    + " bytes, the field needs " + prefix + "); the file is truncated");
        }
        long headerLen = major == 1
                ? Short.toUnsignedInt(file.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8))
                : Integer.toUnsignedLong(file.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
        boolean utf8 = major == 3;
        // Check the declared length before reading it: never allocate based on an unchecked size.
        long byteLimit = utf8 ? 4L * MAX_HEADER_SIZE : MAX_HEADER_SIZE;
        if (headerLen > byteLimit) {
            throw tooLarge(source, headerLen);
        }
        if (prefix + headerLen > len) {
            throw ArrayFileFormatException.at(source, prefix, "header declares " + headerLen + " bytes but the file"
                    + " has only " + (len - prefix) + " bytes after the header-length field; the file is truncated");
        }
        byte[] raw = file.asSlice(prefix, headerLen).toArray(ValueLayout.JAVA_BYTE);
        String text;
        if (utf8) {
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                throw ArrayFileFormatException.at(source, prefix, "a version 3.0 header must be UTF-8: " + e);
            }
            if (text.codePointCount(0, text.length()) > MAX_HEADER_SIZE) {
                throw tooLarge(source, text.codePointCount(0, text.length()));
            }
        } else {
            text = new String(raw, StandardCharsets.ISO_8859_1);
        }
        Object parsed = PyLiteral.parse(text, source.toString(), prefix, major <= 2);
        if (!(parsed instanceof Map<?, ?> dict)) {
            throw ArrayFileFormatException.at(source, prefix, "header is not a dictionary: " + PyLiteral.abbreviate(text));
        }
        if (!dict.keySet().equals(EXPECTED_KEYS)) {
            throw ArrayFileFormatException.at(source, prefix, "header does not contain the correct keys: expected"
                    + " ['descr', 'fortran_order', 'shape'], found " + dict.keySet());
        }
        Object fo = dict.get("fortran_order");
        if (!(fo instanceof Boolean fortran)) {
            throw ArrayFileFormatException.at(source, prefix, "fortran_order is not a valid bool: " + fo);
        }
        long[] shape = parseShape(dict.get("shape"), source, prefix);
        Object descr = dict.get("descr");
        DType dtype;
        boolean big;
        if (descr instanceof String s) {
            Object[] d = parseDescr(s, source, prefix);
            dtype = (DType) d[0];
            big = (Boolean) d[1];
        } else if (descr instanceof List<?> || descr instanceof PyLiteral.Tuple) {
            throw ArrayFileFormatException.at(source, prefix, "structured dtypes (descr " + descr + ") are not"
                    + " supported: save each field as its own array with a plain dtype");
        } else {
            throw ArrayFileFormatException.at(source, prefix, "descr is not a valid dtype descriptor: " + descr);
        }
        long total = dtype.byteSize();
        for (long d : shape) {
            try {
                total = Math.multiplyExact(total, d);
            } catch (ArithmeticException e) {
                throw ArrayFileFormatException.at(source, prefix, "shape " + pyShape(shape) + " of " + dtype.numpyName()
                        + " needs more than 2^63 bytes; the header is corrupt");
            }
        }
        return new NpyHeader(major, minor, dtype, big, fortran, shape, prefix + headerLen);
    }

    private static ArrayFileFormatException tooLarge(Object source, long n) {
        return ArrayFileFormatException.at(source, 8, "header is " + n + " bytes, over NumPy's limit of "
                + MAX_HEADER_SIZE + " (max_header_size); NumPy refuses such headers as unsafe too. If the file is"
                + " trusted, re-save it with NumPy (np.save) to get a normal header");
    }

    private static long[] parseShape(Object shapeObj, Object source, long offset) throws ArrayFileFormatException {
        if (!(shapeObj instanceof PyLiteral.Tuple t)) {
            throw ArrayFileFormatException.at(source, offset, "shape is not valid: expected a tuple of ints, found "
                    + shapeObj);
        }
        if (t.items().size() > MAX_DIMS) {
            throw ArrayFileFormatException.at(source, offset, "shape has " + t.items().size()
                    + " dimensions, more than the maximum " + MAX_DIMS);
        }
        long[] shape = new long[t.items().size()];
        for (int i = 0; i < shape.length; i++) {
            Object o = t.items().get(i);
            if (!(o instanceof BigInteger bi)) {
                throw ArrayFileFormatException.at(source, offset, "shape is not valid: element " + i + " is " + o
                        + ", not an int");
            }
            if (bi.signum() < 0) {
                throw ArrayFileFormatException.at(source, offset, "shape is not valid: dimension " + i + " is negative ("
                        + bi + ")");
            }
            if (bi.bitLength() > 63) {
                throw ArrayFileFormatException.at(source, offset, "shape is not valid: dimension " + i + " (" + bi
                        + ") does not fit in 64 bits");
            }
            shape[i] = bi.longValue();
        }
        return shape;
    }

    /** Returns {dtype, bigEndian}. */
    private static Object[] parseDescr(String descr, Object source, long offset) throws ArrayFileFormatException {
        String s = descr.strip();
        if (s.equals("O") || s.endsWith("O") || s.matches("[<>|=]?O\\d*")) {
            throw ArrayFileFormatException.at(source, offset, "descr '" + descr + "': pickled object arrays are not"
                    + " supported; save with allow_pickle=False / plain dtypes");
        }
        Matcher m = DESCR.matcher(s);
        if (m.matches()) {
            String order = m.group(1);
            char kind = m.group(2).charAt(0);
            int size = m.group(3).isEmpty() ? -1 : parseSmall(m.group(3));
            DType t = switch (kind) {
                case 'b' -> size == 1 ? DType.BOOL : size == -1 ? DType.INT8 : null;
                case 'B' -> size == -1 ? DType.UINT8 : null;
                case '?' -> DType.BOOL;
                case 'i' -> switch (size) {
                    case 1 -> DType.INT8;
                    case 2 -> DType.INT16;
                    case 4 -> DType.INT32;
                    case 8 -> DType.INT64;
                    default -> null;
                };
                case 'u' -> switch (size) {
                    case 1 -> DType.UINT8;
                    case 2 -> DType.UINT16;
                    case 4 -> DType.UINT32;
                    case 8 -> DType.UINT64;
                    default -> null;
                };
                case 'f' -> switch (size) {
                    case 2 -> DType.FLOAT16;
                    case 4 -> DType.FLOAT32;
                    case 8 -> DType.FLOAT64;
                    default -> null;
                };
                case 'c' -> switch (size) {
                    case 8 -> DType.COMPLEX64;
                    case 16 -> DType.COMPLEX128;
                    default -> null;
                };
                default -> null;
            };
            if (t != null) {
                return new Object[] {t, order.equals(">") && t.byteSize() > 1};
            }
        } else if (!s.startsWith("<") && !s.startsWith(">") && !s.equals("bfloat16")) {
            for (DType t : DType.arrayTypes()) {
                if (t != DType.BFLOAT16 && t.numpyName().equals(s)) {
                    return new Object[] {t, false};
                }
            }
        }
        throw ArrayFileFormatException.at(source, offset, "unsupported dtype descr '" + descr + "'; supported are"
                + " bool (|b1), int8..int64 (i1..i8), uint8..uint64 (u1..u8), float16/32/64 (f2, f4, f8) and"
                + " complex64/128 (c8, c16), little- or big-endian. Convert the array with astype() before saving");
    }

    private static int parseSmall(String digits) {
        return digits.length() > 4 ? -2 : Integer.parseInt(digits);
    }

    // --------------------------------------------------------------------------------------------- formatting

    /** The descr NumPy writes for {@code dtype}; BFLOAT16 has none. */
    static String descrOf(DType dtype, boolean bigEndian) {
        String code = switch (dtype) {
            case BOOL -> "b1";
            case INT8 -> "i1";
            case INT16 -> "i2";
            case INT32 -> "i4";
            case INT64 -> "i8";
            case UINT8 -> "u1";
            case UINT16 -> "u2";
            case UINT32 -> "u4";
            case UINT64 -> "u8";
            case FLOAT16 -> "f2";
            case FLOAT32 -> "f4";
            case FLOAT64 -> "f8";
            case COMPLEX64 -> "c8";
            case COMPLEX128 -> "c16";
            case BFLOAT16 -> throw new IllegalArgumentException("bfloat16 has no .npy descr (NumPy has no bfloat16"
                    + " dtype): save it with SafeTensorsFile.write, or convert first with astype(DType.FLOAT32)");
            case COMPLEX32, FLOAT8_E4M3FN, FLOAT8_E5M2 -> throw new IllegalArgumentException(dtype.torchName()
                    + " is a tensor-only dtype with no .npy descr: convert first, e.g. to float32");
        };
        return (dtype.byteSize() == 1 ? "|" : bigEndian ? ">" : "<") + code;
    }

    /** Python's repr of a shape tuple: {@code ()}, {@code (5,)}, {@code (2, 3)}. */
    static String pyShape(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        return sb.append(')').toString();
    }

    /**
     * The complete header bytes (magic through the final {@code '\n'}) NumPy's {@code np.save} writes for an
     * array of this dtype, shape and order, in the oldest format version that can hold it (1.0 unless the header
     * is longer than 65535 bytes).
     *
     * @throws IllegalArgumentException for BFLOAT16, which has no .npy descr
     */
    public static byte[] format(DType dtype, long[] shape, boolean fortranOrder) {
        return format(dtype, shape, fortranOrder, 0);
    }

    /**
     * Like {@link #format(DType, long[], boolean)} but in format version {@code major} (1, 2 or 3; 0 picks the
     * oldest that fits, as NumPy does).
     */
    public static byte[] format(DType dtype, long[] shape, boolean fortranOrder, int major) {
        StringBuilder sb = new StringBuilder();
        sb.append("{'descr': '").append(descrOf(dtype, false)).append("', 'fortran_order': ")
                .append(fortranOrder ? "True" : "False").append(", 'shape': ").append(pyShape(shape)).append(", }");
        if (shape.length > 0) {
            long growth = shape[fortranOrder ? shape.length - 1 : 0];
            sb.repeat(' ', Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(growth).length()));
        }
        String dict = sb.toString();
        if (major == 0) {
            byte[] v1 = wrap(dict, 1);
            return v1 != null ? v1 : wrap(dict, 2);
        }
        if (major < 1 || major > 3) {
            throw new IllegalArgumentException("npy format version must be 1, 2 or 3 (or 0 for automatic), not " + major);
        }
        byte[] b = wrap(dict, major);
        if (b == null) {
            throw new IllegalArgumentException("header of " + dict.length() + " bytes is too long for format version 1.0");
        }
        return b;
    }

    private static byte[] wrap(String dict, int major) {
        byte[] body = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int lenBytes = major == 1 ? 2 : 4;
        long hlen = body.length + 1L;
        long padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
        long total = hlen + padlen;
        if (major == 1 && total > 0xFFFF) {
            return null;
        }
        int prefix = MAGIC.length + 2 + lenBytes;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(prefix + total)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) total);
        } else {
            out.putInt((int) total);
        }
        out.put(body);
        for (long i = 0; i < padlen; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            int v = b & 0xff;
            if (v >= 0x20 && v < 0x7f && v != '\\') {
                sb.append((char) v);
            } else {
                sb.append(String.format("\\x%02x", v));
            }
        }
        return "'" + sb + "'";
    }
}
