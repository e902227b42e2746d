package org.tensorbridge.data;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.tensorbridge.core.DType;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDBuffer;
import org.tensorbridge.ndarray.Strides;
import org.tensorbridge.ndarray.io.ArrayFileFormatException;

/**
 * IDX files, the format of MNIST and Fashion-MNIST ({@code train-images-idx3-ubyte[.gz]}): a big-endian
 * header (two zero bytes, a type code, the number of dimensions, one 32-bit size per dimension) followed by
 * the data. Plain files of one-byte types are memory-mapped (no copy); gzip'd files are inflated once.
 */
public final class IdxFiles {
    private IdxFiles() {
    }

    /** The array an IDX file holds; the caller owns (closes) it. */
    public static NDArray read(Path path) throws IOException {
        if (path.toString().endsWith(".gz")) {
            byte[] bytes;
            try (var in = new GZIPInputStream(java.nio.file.Files.newInputStream(path), 1 << 16)) {
                bytes = in.readAllBytes();
            } catch (java.util.zip.ZipException e) {
                throw ArrayFileFormatException.at(path, 0, "not a valid gzip file: " + e.getMessage());
            }
            MemorySegment data = Arena.ofAuto().allocate(Math.max(bytes.length, 1), 64).asSlice(0, bytes.length);
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
            return parse(NDBuffer.ofAutoScope(data), path, false);
        }
        Arena arena = Arena.ofShared();
        NDBuffer mapped;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            mapped = NDBuffer.ofArena(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena), arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
        // From here the buffer owns the arena: parse releases it on failure (its close may complete on the
        // buffer's closer thread, so closing the arena here too would race with it).
        return parse(mapped, path, true);
    }

    private static NDArray parse(NDBuffer buffer, Path path, boolean mapped) throws ArrayFileFormatException {
        try {
            MemorySegment file = buffer.segment();
            if (file.byteSize() < 4 || file.get(ValueLayout.JAVA_BYTE, 0) != 0 || file.get(ValueLayout.JAVA_BYTE, 1) != 0) {
                throw ArrayFileFormatException.at(path, 0, "not an IDX file: it must start with two zero bytes, a"
                        + " type code and the number of dimensions (MNIST's train-images-idx3-ubyte format)");
            }
            int code = Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, 2));
            DType dtype = switch (code) {
                case 0x08 -> DType.UINT8;
                case 0x09 -> DType.INT8;
                case 0x0B -> DType.INT16;
                case 0x0C -> DType.INT32;
                case 0x0D -> DType.FLOAT32;
                case 0x0E -> DType.FLOAT64;
                default -> throw ArrayFileFormatException.at(path, 2, String.format("unknown IDX type code 0x%02x;"
                        + " IDX knows 0x08 (ubyte), 0x09, 0x0B, 0x0C, 0x0D and 0x0E", code));
            };
            int ndim = Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, 3));
            long dataOffset = 4 + 4L * ndim;
            if (ndim == 0 || file.byteSize() < dataOffset) {
                throw ArrayFileFormatException.at(path, 3, "the header declares " + ndim + " dimensions but the file has "
                        + file.byteSize() + " bytes; it is truncated or not an IDX file");
            }
            long[] shape = new long[ndim];
            long elements = 1;
            for (int d = 0; d < ndim; d++) {
                shape[d] = Integer.toUnsignedLong(file.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN),
                        4 + 4L * d));
                elements = Math.multiplyExact(elements, shape[d]);
            }
            long need = dataOffset + elements * dtype.byteSize();
            if (file.byteSize() < need) {
                throw ArrayFileFormatException.at(path, dataOffset, "shape " + Arrays.toString(shape) + " of "
                        + dtype.numpyName() + " needs " + need + " bytes but the file has " + file.byteSize()
                        + "; it is truncated");
            }
            long item = dtype.byteSize();
            if (item == 1) {  // byte data: the array views the file (mapped: no copy)
                return NDArray.wrap(buffer, dtype, shape, Strides.cOrder(shape, item), dataOffset, true);
            }
            // multi-byte IDX data is big-endian: convert into a new little-endian array
            try (NDArray bigEndian = NDArray.wrap(buffer, dtype, shape, Strides.cOrder(shape, item), dataOffset, true)) {
                return swapped(bigEndian);
            }
        } catch (RuntimeException | ArrayFileFormatException e) {
            if (buffer.isAlive() && buffer.refCount() > 0) {
                buffer.release();
            }
            throw e;
        }
    }

    private static NDArray swapped(NDArray bigEndian) {
        NDArray out = NDArray.empty(bigEndian.dtype(), bigEndian.shape());
        MemorySegment from = bigEndian.segment();
        MemorySegment to = out.segment();
        int item = bigEndian.dtype().byteSize();
        for (long i = 0; i < from.byteSize(); i += item) {
            for (int b = 0; b < item; b++) {
                to.set(ValueLayout.JAVA_BYTE, i + b, from.get(ValueLayout.JAVA_BYTE, i + item - 1 - b));
            }
        }
        return out;
    }
}
