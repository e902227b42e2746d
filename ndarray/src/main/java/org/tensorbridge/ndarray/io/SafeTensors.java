package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.Strides;
import org.tensorbridge.ndarray.NDBuffer;

/**
 * An open, validated safetensors file (from {@link SafeTensorsFile#open}). The file is memory-mapped; opening
 * reads only the JSON header. {@link #get(String)} returns a zero-copy view of the mapping when the tensor's
 * data offset is a multiple of its element size (always so for files written by the reference
 * implementation and by {@link SafeTensorsFile#write}); otherwise a copy (or, in
 * {@link MmapMode#READ_WRITE} mode, an {@link ArrayFileFormatException}).
 *
 * <p>Arrays returned by {@link #get} are owned by the caller (close them); a zero-copy array keeps the mapping
 * alive after this object is closed.
 */
public final class SafeTensors implements ArrayArchive {

    /**
     * One tensor's header entry.
     *
     * @param name      the tensor name
     * @param dtypeName the safetensors dtype string ({@code "F32"}, {@code "BF16"}, ...)
     * @param dtype     the matching {@link DType}, or null for safetensors dtypes this library cannot hold
     *                  (F8_*, F6_*, F4)
     * @param shape     the shape
     * @param begin     start of the data, relative to the byte buffer after the header
     * @param end       end (exclusive) of the data
     */
    public record TensorInfo(String name, String dtypeName, DType dtype, long[] shape, long begin, long end) {
        public TensorInfo {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public String toString() {
            return "TensorInfo[" + name + ": " + dtypeName + " " + Arrays.toString(shape) + " @[" + begin + ", " + end
                    + ")]";
        }
    }

    private final Path path;
    private final NDBuffer file;
    private final MmapMode mode; // null: always copy
    private final long dataStart;
    private final Map<String, TensorInfo> tensors; // in offset order
    private final Map<String, String> metadata;
    private boolean closed;

    SafeTensors(Path path, NDBuffer file, MmapMode mode, long dataStart, Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.file = file;
        this.mode = mode;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Tensor names in data-offset order. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.keySet()));
    }

    /** The {@code __metadata__} map (empty if absent), in file order. */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry of {@code name}. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path + "; it holds "
                    + abbreviate(tensors.keySet().toString()));
        }
        return t;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "...]" : s;
    }

    /** Whether {@link #get(String)} returns a zero-copy view of the mapped file for this tensor. */
    public boolean isMemoryMapped(String name) {
        TensorInfo t = info(name);
        return mode != null && t.dtype() != null && (dataStart + t.begin()) % t.dtype().byteSize() == 0;
    }

    /** The tensor as an array the caller owns (and closes). */
    public NDArray get(String name) throws ArrayFileFormatException {
        if (closed) {
            throw new IllegalStateException("SafeTensors " + path + " is closed");
        }
        TensorInfo t = info(name);
        if (t.dtype() == null) {
            throw ArrayFileFormatException.in(path, "tensor '" + name + "' has safetensors dtype " + t.dtypeName()
                    + ", which this library cannot represent; supported: BOOL, U8, I8, I16, U16, F16, BF16, I32, U32,"
                    + " F32, C64, F64, I64, U64");
        }
        long abs = dataStart + t.begin();
        long[] shape = t.shape();
        long item = t.dtype().byteSize();
        if (isMemoryMapped(name)) {
            file.retain();
            try {
                return NDArray.wrap(file, t.dtype(), shape, Strides.cOrder(shape, item), abs, true);
            } catch (RuntimeException e) {
                file.release();
                throw e;
            }
        }
        if (mode == MmapMode.READ_WRITE) {
            throw ArrayFileFormatException.at(path, abs, "tensor '" + name + "' starts at byte " + abs + ", not a"
                    + " multiple of its element size " + item + ", so it cannot be mapped read-write; open the file"
                    + " READ_ONLY or COPY_ON_WRITE (which copy such tensors), or re-save it with SafeTensorsFile.write");
        }
        NDBuffer buf = ArrayIo.copyBytes(file.segment(), abs, t.end() - t.begin(), mode == MmapMode.READ_ONLY);
        try {
            return NDArray.wrap(buf, t.dtype(), shape, Strides.cOrder(shape, item), 0, true);
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /** Releases this object's hold on the mapping (arrays obtained from it stay valid). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            file.release();
        }
    }
}
