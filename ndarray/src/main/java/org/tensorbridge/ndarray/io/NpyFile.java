package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.Strides;
import org.tensorbridge.ndarray.NDBuffer;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), as {@code np.save} /
 * {@code np.load} do.
 *
 * <ul>
 *   <li>{@link #read(Path)} copies the data into a fresh array (like {@code np.load(path)}).</li>
 *   <li>{@link #mmap(Path, MmapMode)} maps the file (like {@code np.load(path, mmap_mode=...)}); opening is O(1)
 *       in the file size: the file is mapped, not read. The array owns the mapping and {@link NDArray#close()}
 *       unmaps it (once no view or consumer retains the buffer).</li>
 *   <li>Big-endian files ({@code '>f8'}) are converted to little-endian on load. {@code mmap} of a big-endian
 *       file in {@link MmapMode#READ_ONLY} or {@link MmapMode#COPY_ON_WRITE} mode therefore returns a
 *       converted <em>in-memory copy</em> (not a mapping); {@link MmapMode#READ_WRITE} refuses big-endian files
 *       because writes could not reach the file. The same holds for data whose offset is not a multiple of the
 *       element size (never the case for files NumPy writes).</li>
 *   <li>{@code fortran_order: True} files load as an F-strided array (no copy).</li>
 *   <li>Bytes after the array data are ignored, as NumPy does; missing data is an error.</li>
 *   <li>Writing picks the version NumPy would (1.0 unless the header needs more), writes F-contiguous arrays
 *       with {@code fortran_order: True} and makes other non-contiguous arrays contiguous first.
 *       {@link DType#BFLOAT16} has no {@code .npy} descr and is refused.</li>
 * </ul>
 * Malformed, truncated or unsupported files throw {@link ArrayFileFormatException}.
 */
public final class NpyFile {
    private NpyFile() {
    }

    /** Reads only the header (and checks that the file holds all the data it declares). */
    public static NpyHeader readHeader(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            NpyHeader h = NpyHeader.parse(file, path);
            checkDataPresent(h, file.byteSize(), path);
            return h;
        }
    }

    /** Reads the file into a fresh (owning, writable, little-endian) array. */
    public static NDArray read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            NpyHeader h;
            try (Arena arena = Arena.ofConfined()) {
                // Map to parse the header: O(1), touches only the header's pages.
                h = NpyHeader.parse(ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), path);
            }
            checkDataPresent(h, size, path);
            return ArrayIo.build(h, false, dst -> ArrayIo.readFully(ch, h.dataOffset(), dst, path));
        }
    }

    /**
     * Memory-maps the file in NumPy's {@code mmap_mode} ({@code r}, {@code c}, {@code r+}) in O(1). The returned
     * array owns the mapping: after close it refuses access, and the mapping is released once unreachable (like
     * NumPy's memmap, by the garbage collector). See the class comment for big-endian files.
     */
    public static NDArray mmap(Path path, MmapMode mode) throws IOException {
        // An automatic arena: closing a shared one costs a JVM-wide handshake (~100 µs, more than the whole
        // open), so the mapping goes when the GC finds it unreachable — as MappedByteBuffer's does. Closing
        // the array refuses further access at once; a mapping costs address space, not memory.
        MemorySegment file = FileMapping.map(path, mode, Arena.ofAuto());
        NpyHeader h = NpyHeader.parse(file, path);
        checkDataPresent(h, file.byteSize(), path);
        boolean aligned = h.dataOffset() % h.dtype().byteSize() == 0;
        if (h.bigEndian() || !aligned) {
            String why = h.bigEndian() ? "big-endian data ('" + h.descr() + "')"
                    : "data at offset " + h.dataOffset() + ", not a multiple of the element size "
                            + h.dtype().byteSize();
            if (mode == MmapMode.READ_WRITE) {
                throw ArrayFileFormatException.in(path, "cannot memory-map " + why + " in read-write (r+) mode:"
                        + " arrays are little-endian and aligned in memory, so writes could not reach the file."
                        + " Use mode READ_ONLY/COPY_ON_WRITE (which return a converted copy) or re-save the"
                        + " file little-endian with NumPy (arr.astype('<" + h.descr().substring(1) + "'))");
            }
            return ArrayIo.copyOut(file, h.dataOffset(), h, mode == MmapMode.READ_ONLY);
        }
        NDBuffer buf = NDBuffer.ofAutoScope(file);
        long[] shape = h.shape();
        long item = h.dtype().byteSize();
        try {
            return NDArray.wrap(buf, h.dtype(), shape,
                    h.fortranOrder() ? Strides.fOrder(shape, item) : Strides.cOrder(shape, item),
                    h.dataOffset(), true);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    static void checkDataPresent(NpyHeader h, long available, Object source) throws ArrayFileFormatException {
        if (available - h.dataOffset() < h.dataBytes()) {
            throw ArrayFileFormatException.at(source, h.dataOffset(), "shape " + NpyHeader.pyShape(h.shape())
                    + " of " + h.dtype().numpyName() + " needs " + h.dataBytes() + " bytes of data but only "
                    + Math.max(0, available - h.dataOffset()) + " follow the header; the file is truncated or its"
                    + " header is wrong");
        }
    }

    /** Writes {@code array} in the format version NumPy would choose. */
    public static void write(Path path, NDArray array) throws IOException {
        write(path, array, 0);
    }

    /**
     * Writes {@code array} in format version {@code version} (1, 2 or 3; 0 = the oldest that fits, as NumPy).
     *
     * @throws IllegalArgumentException for a BFLOAT16 array (no .npy descr; use {@link SafeTensorsFile}) or a
     *         version that cannot hold the header
     */
    public static void write(Path path, NDArray array, int version) throws IOException {
        try (ArrayIo.Layout layout = ArrayIo.layout(array, true)) {
            byte[] header = NpyHeader.format(array.dtype(), array.shape(), layout.fortran(), version);
            ArrayIo.writeAtomically(path, ch -> {
                ArrayIo.writeFully(ch, header);
                ArrayIo.writeFully(ch, layout.data());
            });
        }
    }

    /** Writes header and data to {@code ch} (used by {@link NpzFile}); returns the number of bytes. */
    static long write(WritableByteChannel ch, NDArray array) throws IOException {
        try (ArrayIo.Layout layout = ArrayIo.layout(array, true)) {
            byte[] header = NpyHeader.format(array.dtype(), array.shape(), layout.fortran(), 0);
            ArrayIo.writeFully(ch, header);
            ArrayIo.writeFully(ch, layout.data());
            return header.length + layout.data().byteSize();
        }
    }
}
