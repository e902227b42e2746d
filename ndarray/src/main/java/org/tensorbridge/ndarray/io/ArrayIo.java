package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.Strides;
import org.tensorbridge.ndarray.NDBuffer;

/** Shared helpers of the file formats: strides, byte swapping, chunked channel I/O, building arrays. */
final class ArrayIo {
    /** Chunk size for channel I/O and checksums (ByteBuffers are limited to 2 GiB). */
    static final int CHUNK = 1 << 26;

    private ArrayIo() {
    }

    /** The character at {@code pos} as an error message names it: 'x', a code point, or the end of the header. */
    static String describeCharAt(String text, int pos) {
        if (pos >= text.length()) {
            return "end of header";
        }
        char c = text.charAt(pos);
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("character U+%04X", (int) c);
    }

    /** Converts big-endian elements in place to little-endian (complex types swap each component). */
    static void swapToLittleEndian(MemorySegment seg, DType dtype) {
        int comp = dtype.isComplex() ? dtype.byteSize() / 2 : dtype.byteSize();
        long n = seg.byteSize() / comp;
        switch (comp) {
            case 1 -> {
            }
            case 2 -> {
                var be = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
                var le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n; i++) {
                    seg.set(le, i * 2, seg.get(be, i * 2));
                }
            }
            case 4 -> {
                var be = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
                var le = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n; i++) {
                    seg.set(le, i * 4, seg.get(be, i * 4));
                }
            }
            case 8 -> {
                var be = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
                var le = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < n; i++) {
                    seg.set(le, i * 8, seg.get(be, i * 8));
                }
            }
            default -> throw new IllegalStateException("no byte swap for element size " + comp);
        }
    }

    /**
     * A fresh owning array holding a copy of {@code h.dataBytes()} bytes of {@code src} starting at
     * {@code offset}, byte-swapped if the header says big-endian, with F strides for Fortran order.
     */
    static NDArray copyOut(MemorySegment src, long offset, NpyHeader h, boolean readOnly) throws IOException {
        return build(h, readOnly, dst -> MemorySegment.copy(src, offset, dst, 0, h.dataBytes()));
    }

    /** Fills fresh memory for an array. */
    @FunctionalInterface
    interface Filler {
        void fill(MemorySegment dst) throws IOException;
    }

    /**
     * A fresh owning array for header {@code h}: {@code filler} writes the raw file bytes, which are then
     * byte-swapped if big-endian; F strides for Fortran order; read-only memory if {@code readOnly} (so arrays
     * from READ_ONLY opens are read-only whether mapped or copied).
     */
    static NDArray build(NpyHeader h, boolean readOnly, Filler filler) throws IOException {
        long len = h.dataBytes();
        NDBuffer buf;
        if (!readOnly) {
            buf = org.tensorbridge.ndarray.PooledMemory.allocateUninitialized(len); // recycled memory: no page faults
            try {
                filler.fill(buf.segment());
                if (h.bigEndian()) {
                    swapToLittleEndian(buf.segment(), h.dtype());
                }
            } catch (IOException | RuntimeException | Error e) {
                buf.release();
                throw e;
            }
        } else {
            buf = readOnlyBuffer(len, h, filler);
        }
        long[] shape = h.shape();
        long item = h.dtype().byteSize();
        try {
            return NDArray.wrap(buf, h.dtype(), shape, h.fortranOrder() ? Strides.fOrder(shape, item) : Strides.cOrder(shape, item),
                    0, true);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    private static NDBuffer readOnlyBuffer(long len, NpyHeader h, Filler filler) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = arena.allocate(Math.max(1, len), NDBuffer.ALIGNMENT).asSlice(0, len);
            filler.fill(seg);
            if (h.bigEndian()) {
                swapToLittleEndian(seg, h.dtype());
            }
            return NDBuffer.ofArena(seg.asReadOnly(), arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Allocates an owning (optionally read-only) copy of {@code len} bytes of {@code src} at {@code offset}. */
    static NDBuffer copyBytes(MemorySegment src, long offset, long len, boolean readOnly) {
        if (!readOnly) {
            NDBuffer buf = NDBuffer.allocate(len);
            MemorySegment.copy(src, offset, buf.segment(), 0, len);
            return buf;
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = arena.allocate(Math.max(1, len), NDBuffer.ALIGNMENT).asSlice(0, len);
            MemorySegment.copy(src, offset, seg, 0, len);
            return NDBuffer.ofArena(readOnly ? seg.asReadOnly() : seg, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Reads exactly {@code dst.byteSize()} bytes from {@code ch} at {@code position}. */
    static void readFully(FileChannel ch, long position, MemorySegment dst, Object source) throws IOException {
        long done = 0;
        long total = dst.byteSize();
        while (done < total) {
            int n = (int) Math.min(CHUNK, total - done);
            ByteBuffer bb = dst.asSlice(done, n).asByteBuffer();
            while (bb.hasRemaining()) {
                int r = ch.read(bb, position + done + bb.position());
                if (r < 0) {
                    throw ArrayFileFormatException.at(source, position + done + bb.position(),
                            "unexpected end of file while reading array data; the file is truncated");
                }
            }
            done += n;
        }
    }

    /** Writes a file's content. */
    @FunctionalInterface
    interface ChannelWriter {
        void write(FileChannel ch) throws IOException;
    }

    /**
     * Writes {@code path} through a temporary file in the same directory that is then renamed over it, so a
     * failed write leaves no partial file and arrays still mapping the old file (e.g. saving a memory-mapped
     * array back to its own path) keep valid memory instead of seeing the file truncated under them.
     */
    static void writeAtomically(Path path, ChannelWriter writer) throws IOException {
        Path abs = path.toAbsolutePath();
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.READ,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(ch);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes all of {@code src} to {@code ch}. */
    static void writeFully(WritableByteChannel ch, MemorySegment src) throws IOException {
        long done = 0;
        long total = src.byteSize();
        while (done < total) {
            int n = (int) Math.min(CHUNK, total - done);
            ByteBuffer bb = src.asSlice(done, n).asByteBuffer();
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            done += n;
        }
    }

    static void writeFully(WritableByteChannel ch, byte[] bytes) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(bytes);
        while (bb.hasRemaining()) {
            ch.write(bb);
        }
    }

    /**
     * The memory of an array laid out contiguously in C ({@code wantFortran=false}) or, where the array is
     * F-contiguous and not C-contiguous, Fortran order. {@link Layout#temp} is a copy to close afterwards, or null.
     */
    record Layout(MemorySegment data, boolean fortran, NDArray temp) implements AutoCloseable {
        @Override
        public void close() {
            if (temp != null) {
                temp.close();
            }
        }
    }

    /** Contiguous bytes of {@code a}: as is if C- or F-contiguous (F allowed only if {@code allowFortran}), else a copy. */
    static Layout layout(NDArray a, boolean allowFortran) {
        // For C- and F-contiguous arrays segment() is exactly nbytes() long and starts at the first element.
        if (a.isCContiguous()) {
            return new Layout(a.segment(), false, null);
        }
        if (allowFortran && a.isFContiguous()) {
            return new Layout(a.segment(), true, null);
        }
        NDArray c = a.copy();
        return new Layout(c.segment(), false, c);
    }

    static String describeShape(long[] shape) {
        return NpyHeader.pyShape(shape);
    }
}
