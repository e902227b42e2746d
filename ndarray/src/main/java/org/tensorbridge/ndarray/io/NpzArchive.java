package org.tensorbridge.ndarray.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.Strides;
import org.tensorbridge.ndarray.NDBuffer;

/**
 * An open {@code .npz} archive (from {@link NpzFile#open}); arrays are read lazily by {@link #get(String)}.
 *
 * <p>The file is memory-mapped; opening reads only the zip directory. A <em>stored</em> entry ({@code np.savez})
 * whose data offset in the file is a multiple of the element size, and which is little-endian, is returned as a
 * zero-copy view of the mapping (read-only, or copy-on-write, per the mode). Other stored entries are copied.
 * <em>Deflated</em> entries ({@code np.savez_compressed}) are inflated into a fresh array, never past the entry's
 * declared uncompressed size.
 *
 * <p>Every entry's CRC-32 is verified, as NumPy's zipfile does, mapped ones included: a mapped entry is checked
 * on its first {@link #get} from this archive (which therefore reads the entry once, at memory speed; later gets
 * of it are O(1)), so a corrupt file is refused with an {@link ArrayFileFormatException} naming the entry and
 * both CRC values, never handed out.
 *
 * <p>Arrays returned by {@link #get} are owned by the caller (close them); a zero-copy array keeps the mapping
 * alive after the archive is closed.
 */
public final class NpzArchive implements ArrayArchive {
    /** Deflate cannot expand data by more than about 1032:1; a larger declared ratio is a lie. */
    private static final long MAX_DEFLATE_RATIO = 1032;

    private final Path path;
    private final NDBuffer file;
    private final MmapMode mode; // null: always copy
    private final Map<String, ZipDirectory.Entry> entries; // by entry name
    private final Map<String, String> keys; // user-facing key -> entry name
    private final Set<String> verified = ConcurrentHashMap.newKeySet(); // mapped entries whose CRC matched
    private boolean closed;

    NpzArchive(Path path, NDBuffer file, MmapMode mode) throws ArrayFileFormatException {
        this.path = path;
        this.file = file;
        this.mode = mode;
        List<ZipDirectory.Entry> list = ZipDirectory.read(file.segment(), path);
        this.entries = new LinkedHashMap<>();
        this.keys = new LinkedHashMap<>();
        for (ZipDirectory.Entry e : list) {
            if (entries.put(e.name(), e) != null) {
                throw ArrayFileFormatException.in(path, "the archive contains two entries named '" + e.name() + "'");
            }
            String key = e.name().endsWith(".npy") ? e.name().substring(0, e.name().length() - 4) : e.name();
            if (keys.putIfAbsent(key, e.name()) != null) {
                throw ArrayFileFormatException.in(path, "the archive contains both '" + key + "' and '" + key
                        + ".npy'");
            }
        }
    }

    /** The array names, in archive order, without the {@code .npy} suffix (as {@code np.load(...).files}). */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(keys.keySet()));
    }

    public boolean contains(String name) {
        return keys.containsKey(name) || entries.containsKey(name);
    }

    private ZipDirectory.Entry entry(String name) {
        checkOpen();
        String entryName = keys.get(name);
        ZipDirectory.Entry e = entryName != null ? entries.get(entryName) : entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("'" + name + "' is not in " + path + "; it holds " + keys.keySet());
        }
        return e;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("NpzArchive " + path + " is closed");
        }
    }

    /** Whether {@link #get(String)} returns a zero-copy view of the file for this entry. */
    public boolean isMemoryMapped(String name) throws ArrayFileFormatException {
        ZipDirectory.Entry e = entry(name);
        if (mode == null || e.method() != ZipDirectory.METHOD_STORED) {
            return false;
        }
        NpyHeader h = NpyHeader.parse(file.segment().asSlice(e.dataOffset(), e.compressedSize()), source(e));
        return !h.bigEndian() && (e.dataOffset() + h.dataOffset()) % h.dtype().byteSize() == 0;
    }

    private String source(ZipDirectory.Entry e) {
        return path + " entry '" + e.name() + "' (at byte " + e.dataOffset() + ")";
    }

    /**
     * The .npy header of one entry (dtype, shape, order) without reading its data: a deflated entry is
     * inflated only as far as its header.
     */
    public NpyHeader header(String name) throws IOException {
        ZipDirectory.Entry e = entry(name);
        String src = source(e);
        if (e.method() == ZipDirectory.METHOD_STORED) {
            return NpyHeader.parse(file.segment().asSlice(e.dataOffset(), e.compressedSize()), src);
        }
        checkInflatable(e, src);
        try (EntryInflater in = new EntryInflater(file.segment().asSlice(e.dataOffset(), e.compressedSize()),
                e.uncompressedSize(), src, e.dataOffset())) {
            return NpyHeader.parse(MemorySegment.ofArray(headerBytes(in, e.uncompressedSize())), src);
        }
    }

    /** Reads one array; the caller owns (and closes) it. */
    public NDArray get(String name) throws IOException {
        ZipDirectory.Entry e = entry(name);
        String src = source(e);
        MemorySegment seg = file.segment();
        if (e.method() == ZipDirectory.METHOD_STORED) {
            MemorySegment data = seg.asSlice(e.dataOffset(), e.compressedSize());
            NpyHeader h = NpyHeader.parse(data, src);
            NpyFile.checkDataPresent(h, data.byteSize(), src);
            long abs = e.dataOffset() + h.dataOffset();
            if (mode != null && !h.bigEndian() && abs % h.dtype().byteSize() == 0) {
                if (!verified.contains(e.name())) {
                    checkCrc(e, data, src);
                    verified.add(e.name());
                }
                long[] shape = h.shape();
                long item = h.dtype().byteSize();
                file.retain();
                try {
                    return NDArray.wrap(file, h.dtype(), shape,
                            h.fortranOrder() ? Strides.fOrder(shape, item) : Strides.cOrder(shape, item), abs, true);
                } catch (RuntimeException ex) {
                    file.release();
                    throw ex;
                }
            }
            checkCrc(e, data, src);
            return ArrayIo.copyOut(data, h.dataOffset(), h, mode == MmapMode.READ_ONLY);
        }
        return inflate(seg, e, src, mode == MmapMode.READ_ONLY);
    }

    /** Checks a stored entry's bytes against the CRC-32 of its central directory record. */
    private static void checkCrc(ZipDirectory.Entry e, MemorySegment data, String src) throws ArrayFileFormatException {
        CRC32 crc = new CRC32();
        for (long done = 0; done < data.byteSize(); ) {
            int n = (int) Math.min(ArrayIo.CHUNK, data.byteSize() - done);
            crc.update(data.asSlice(done, n).asByteBuffer());
            done += n;
        }
        if (crc.getValue() != e.crc()) {
            throw ArrayFileFormatException.in(src, String.format("CRC-32 mismatch: the central"
                    + " directory says %08x, the entry's %d bytes have %08x; the archive is corrupt (NumPy refuses it"
                    + " too: BadZipFile 'Bad CRC-32'). Re-create or re-download the file", e.crc(), data.byteSize(),
                    crc.getValue()));
        }
    }

    private static NDArray inflate(MemorySegment seg, ZipDirectory.Entry e, String src, boolean readOnly) throws IOException {
        long declared = e.uncompressedSize();
        checkInflatable(e, src);
        try (EntryInflater in = new EntryInflater(seg.asSlice(e.dataOffset(), e.compressedSize()), declared, src,
                e.dataOffset())) {
            byte[] all = headerBytes(in, declared);
            NpyHeader h = NpyHeader.parse(MemorySegment.ofArray(all), src);
            long need = h.dataOffset() + h.dataBytes();
            if (need > declared) {
                throw ArrayFileFormatException.at(src, e.dataOffset(), "shape " + NpyHeader.pyShape(h.shape()) + " of "
                        + h.dtype().numpyName() + " needs " + need + " bytes but the entry declares only " + declared
                        + " uncompressed bytes; the archive is truncated or its header is wrong");
            }
            // `all` may already hold bytes past a tiny header; keep them.
            long extra = all.length - h.dataOffset();
            byte[] head = all;
            return ArrayIo.build(h, readOnly, dst -> {
                long have = Math.min(Math.max(extra, 0), h.dataBytes());
                if (have > 0) {
                    MemorySegment.copy(MemorySegment.ofArray(head), h.dataOffset(), dst, 0, have);
                }
                in.readInto(dst.asSlice(have));
                in.finish();
                if (in.crc() != e.crc()) {
                    throw ArrayFileFormatException.at(src, e.localHeaderOffset(), String.format("CRC-32 mismatch:"
                            + " the central directory says %08x, the inflated data has %08x; the archive is corrupt",
                            e.crc(), in.crc()));
                }
            });
        }
    }

    private static void checkInflatable(ZipDirectory.Entry e, String src) throws ArrayFileFormatException {
        if (e.uncompressedSize() > e.compressedSize() * MAX_DEFLATE_RATIO + 1024) {
            throw ArrayFileFormatException.at(src, e.localHeaderOffset(), "entry declares " + e.uncompressedSize()
                    + " uncompressed bytes from " + e.compressedSize() + " compressed bytes, more than deflate can"
                    + " produce (about 1032:1); the archive lies about its sizes");
        }
    }

    // The npy header's bytes from an entry's start: magic + version, the length field, then the header text.
    private static byte[] headerBytes(EntryInflater in, long declared) throws ArrayFileFormatException {
        byte[] first = in.readBytes((int) Math.min(declared, 12));
        int prefix = first.length >= 8 && first[6] == 1 ? 10 : 12;
        long hlen = 0;
        if (first.length >= prefix) {
            ByteBuffer bb = ByteBuffer.wrap(first).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            hlen = prefix == 10 ? Short.toUnsignedInt(bb.getShort(8)) : Integer.toUnsignedLong(bb.getInt(8));
        }
        long headerEnd = Math.min(prefix + Math.min(hlen, 4L * NpyHeader.MAX_HEADER_SIZE + 1), declared);
        byte[] rest = in.readBytes((int) Math.max(0, headerEnd - first.length));
        byte[] all = new byte[first.length + rest.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    /** Inflates one entry, never producing more than its declared size, and checks size and CRC at the end. */
    private static final class EntryInflater implements AutoCloseable {
        private final Inflater inflater = new Inflater(true);
        private final MemorySegment input;
        private final long declared;
        private final String src;
        private final long base;
        private final CRC32 crc = new CRC32();
        private long fed;
        private long produced;

        EntryInflater(MemorySegment input, long declared, String src, long base) {
            this.input = input;
            this.declared = declared;
            this.src = src;
            this.base = base;
        }

        byte[] readBytes(int n) throws ArrayFileFormatException {
            byte[] b = new byte[n];
            readInto(MemorySegment.ofArray(b));
            return b;
        }

        void readInto(MemorySegment dst) throws ArrayFileFormatException {
            if (produced + dst.byteSize() > declared) {
                throw ArrayFileFormatException.at(src, base, "entry is larger than its declared uncompressed size "
                        + declared + "; the archive lies about its sizes");
            }
            long done = 0;
            while (done < dst.byteSize()) {
                int n = (int) Math.min(ArrayIo.CHUNK, dst.byteSize() - done);
                ByteBuffer out = dst.asSlice(done, n).asByteBuffer();
                while (out.hasRemaining()) {
                    int before = out.position();
                    step(out);
                    if (out.position() == before) {
                        throw ArrayFileFormatException.at(src, base + fed, "compressed data ends after " + (produced
                                + done + before) + " of " + declared + " declared bytes; the archive is truncated");
                    }
                }
                ByteBuffer filled = dst.asSlice(done, n).asByteBuffer();
                crc.update(filled);
                done += n;
            }
            produced += dst.byteSize();
        }

        /** Inflates into out, feeding input as needed; makes no progress only at the end of the stream/input. */
        private void step(ByteBuffer out) throws ArrayFileFormatException {
            while (true) {
                int got;
                try {
                    got = inflater.inflate(out);
                } catch (DataFormatException ex) {
                    throw ArrayFileFormatException.at(src, base + fed, "corrupt deflate data: " + ex.getMessage());
                }
                if (got > 0 || inflater.finished()) {
                    return;
                }
                if (inflater.needsDictionary()) {
                    throw ArrayFileFormatException.at(src, base, "deflate stream needs a preset dictionary;"
                            + " not a valid zip entry");
                }
                if (inflater.needsInput()) {
                    if (fed >= input.byteSize()) {
                        return;
                    }
                    int n = (int) Math.min(ArrayIo.CHUNK, input.byteSize() - fed);
                    inflater.setInput(input.asSlice(fed, n).asByteBuffer());
                    fed += n;
                }
            }
        }

        /** Consumes what the entry declares past the array, then requires the stream to end exactly there. */
        void finish() throws ArrayFileFormatException {
            if (produced < declared) {
                long left = declared - produced;
                MemorySegment scratch = MemorySegment.ofArray(new byte[(int) Math.min(left, 1 << 16)]);
                while (left > 0) {
                    MemorySegment part = scratch.asSlice(0, Math.min(left, scratch.byteSize()));
                    readInto(part);
                    left -= part.byteSize();
                }
            }
            ByteBuffer one = ByteBuffer.allocate(1);
            step(one);
            if (one.position() > 0) {
                throw ArrayFileFormatException.at(src, base, "entry inflates to more than its declared uncompressed"
                        + " size " + declared + "; the archive lies about its sizes");
            }
            if (!inflater.finished()) {
                throw ArrayFileFormatException.at(src, base + fed, "deflate stream does not end after the declared "
                        + declared + " bytes; the archive is truncated or corrupt");
            }
        }

        long crc() {
            return crc.getValue();
        }

        @Override
        public void close() {
            inflater.end();
        }
    }

    /** Releases the archive's hold on the mapping (arrays obtained from it stay valid). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            file.release();
        }
    }
}
