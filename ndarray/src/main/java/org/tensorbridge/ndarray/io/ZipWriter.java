package org.tensorbridge.ndarray.io;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes a zip archive of entries given as byte pieces (npy header + array data), stored or deflated, with
 * ZIP64 records wherever a size, offset or count needs them (or everywhere with {@code forceZip64}, as
 * Python's {@code zipfile} does for local headers when NumPy passes {@code force_zip64=True}).
 */
final class ZipWriter implements Closeable {
    private static final long LIMIT32 = 0xFFFFFFFFL;
    /** Entries at least this large get ZIP64 local headers (deflate output can slightly exceed its input). */
    private static final long ZIP64_THRESHOLD = 0xF0000000L;

    private record Central(byte[] name, boolean utf8, int method, long crc, long csize, long usize, long lho,
            int dosTime, int dosDate) {
    }

    private final FileChannel ch;
    private final boolean forceZip64;
    private final List<Central> entries = new ArrayList<>();
    private final int dosTime;
    private final int dosDate;

    ZipWriter(FileChannel ch, boolean forceZip64) {
        this.ch = ch;
        this.forceZip64 = forceZip64;
        LocalDateTime t = LocalDateTime.now();
        this.dosDate = Math.max(0, t.getYear() - 1980) << 9 | t.getMonthValue() << 5 | t.getDayOfMonth();
        this.dosTime = t.getHour() << 11 | t.getMinute() << 5 | t.getSecond() / 2;
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    /** Adds one entry whose uncompressed content is {@code head} followed by {@code data}. */
    void add(String name, byte[] head, MemorySegment data, boolean deflate) throws IOException {
        boolean utf8 = !isAscii(name);
        byte[] nameBytes = name.getBytes(utf8 ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII);
        if (nameBytes.length > 0xFFFF) {
            throw new IllegalArgumentException("zip entry name longer than 65535 bytes: " + name);
        }
        long usize = head.length + data.byteSize();
        boolean zip64 = forceZip64 || usize >= ZIP64_THRESHOLD;
        long lho = ch.position();
        int method = deflate ? ZipDirectory.METHOD_DEFLATED : ZipDirectory.METHOD_STORED;
        // Pad the local extra field (as Android's zipalign does, id 0xD935) so the entry's bytes start at a
        // multiple of 64 in the file: the npy header is a multiple of 64 long, so the array data is then
        // 64-byte aligned and can be memory-mapped zero-copy.
        long base = lho + 30 + nameBytes.length + (zip64 ? 20 : 0);
        int pad = (int) ((64 - base % 64) % 64);
        if (pad > 0 && pad < 4) {
            pad += 64;
        }
        int extraLen = (zip64 ? 20 : 0) + pad;
        ByteBuffer lh = ByteBuffer.allocate(30 + nameBytes.length + extraLen).order(ByteOrder.LITTLE_ENDIAN);
        lh.putInt(ZipDirectory.LOCAL_SIG).putShort((short) (zip64 ? 45 : 20)).putShort((short) (utf8 ? 0x800 : 0))
                .putShort((short) method).putShort((short) dosTime).putShort((short) dosDate)
                .putInt(0).putInt(0).putInt(0) // crc, sizes: patched below
                .putShort((short) nameBytes.length).putShort((short) extraLen).put(nameBytes);
        if (zip64) {
            lh.putShort((short) 1).putShort((short) 16).putLong(0).putLong(0);
        }
        if (pad > 0) {
            lh.putShort((short) 0xD935).putShort((short) (pad - 4));
            for (int i = 4; i < pad; i++) {
                lh.put((byte) 0);
            }
        }
        lh.flip();
        while (lh.hasRemaining()) {
            ch.write(lh);
        }
        CRC32 crc = new CRC32();
        crc.update(head);
        long done = 0;
        while (done < data.byteSize()) {
            int n = (int) Math.min(ArrayIo.CHUNK, data.byteSize() - done);
            crc.update(data.asSlice(done, n).asByteBuffer());
            done += n;
        }
        long csize;
        if (!deflate) {
            ArrayIo.writeFully(ch, head);
            ArrayIo.writeFully(ch, data);
            csize = usize;
        } else {
            csize = deflate(head, data);
        }
        long end = ch.position();
        // Patch CRC and sizes into the local header.
        ByteBuffer patch = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        patch.putInt((int) crc.getValue());
        if (zip64) {
            patch.putInt((int) LIMIT32).putInt((int) LIMIT32);
        } else {
            if (csize > LIMIT32) {
                throw new IOException("internal error: deflated size " + csize + " needs ZIP64 but the entry was"
                        + " started without it");
            }
            patch.putInt((int) csize).putInt((int) usize);
        }
        patch.flip();
        ch.write(patch, lho + 14);
        if (zip64) {
            ByteBuffer z = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(usize).putLong(csize).flip();
            ch.write(z, lho + 30 + nameBytes.length + 4);
        }
        ch.position(end);
        entries.add(new Central(nameBytes, utf8, method, crc.getValue(), csize, usize, lho, dosTime, dosDate));
    }

    private long deflate(byte[] head, MemorySegment data) throws IOException {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);
            long written = 0;
            d.setInput(head);
            written += drain(d, out);
            long done = 0;
            while (done < data.byteSize()) {
                int n = (int) Math.min(ArrayIo.CHUNK, data.byteSize() - done);
                d.setInput(data.asSlice(done, n).asByteBuffer());
                written += drain(d, out);
                done += n;
            }
            d.finish();
            while (!d.finished()) {
                written += deflateOnce(d, out);
            }
            return written;
        } finally {
            d.end();
        }
    }

    private long drain(Deflater d, ByteBuffer out) throws IOException {
        long written = 0;
        while (!d.needsInput()) {
            written += deflateOnce(d, out);
        }
        return written;
    }

    // Deflates what fits in `out` and writes it to the channel; returns the bytes written.
    private long deflateOnce(Deflater d, ByteBuffer out) throws IOException {
        out.clear();
        d.deflate(out);
        out.flip();
        long n = out.remaining();
        while (out.hasRemaining()) {
            ch.write(out);
        }
        return n;
    }

    /** Writes the central directory and end records. Does not close the channel. */
    @Override
    public void close() throws IOException {
        long cdOffset = ch.position();
        for (Central e : entries) {
            boolean bigU = forceZip64 || e.usize >= LIMIT32;
            boolean bigC = forceZip64 || e.csize >= LIMIT32;
            boolean bigO = forceZip64 || e.lho >= LIMIT32;
            int extraLen = (bigU || bigC || bigO) ? 4 + 8 * ((bigU ? 1 : 0) + (bigC ? 1 : 0) + (bigO ? 1 : 0)) : 0;
            ByteBuffer b = ByteBuffer.allocate(46 + e.name.length + extraLen).order(ByteOrder.LITTLE_ENDIAN);
            int version = extraLen > 0 ? 45 : 20;
            b.putInt(ZipDirectory.CENTRAL_SIG).putShort((short) (3 << 8 | version)).putShort((short) version)
                    .putShort((short) (e.utf8 ? 0x800 : 0)).putShort((short) e.method)
                    .putShort((short) e.dosTime).putShort((short) e.dosDate).putInt((int) e.crc)
                    .putInt((int) (bigC ? LIMIT32 : e.csize)).putInt((int) (bigU ? LIMIT32 : e.usize))
                    .putShort((short) e.name.length).putShort((short) extraLen).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0x81A4 << 16) // -rw-r--r--
                    .putInt((int) (bigO ? LIMIT32 : e.lho)).put(e.name);
            if (extraLen > 0) {
                b.putShort((short) 1).putShort((short) (extraLen - 4));
                if (bigU) {
                    b.putLong(e.usize);
                }
                if (bigC) {
                    b.putLong(e.csize);
                }
                if (bigO) {
                    b.putLong(e.lho);
                }
            }
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        long cdEnd = ch.position();
        long cdSize = cdEnd - cdOffset;
        long count = entries.size();
        boolean zip64 = forceZip64 || count >= 0xFFFF || cdSize >= LIMIT32 || cdOffset >= LIMIT32;
        ByteBuffer b = ByteBuffer.allocate((zip64 ? 56 + 20 : 0) + 22).order(ByteOrder.LITTLE_ENDIAN);
        if (zip64) {
            b.putInt(ZipDirectory.ZIP64_EOCD_SIG).putLong(44).putShort((short) 45).putShort((short) 45)
                    .putInt(0).putInt(0).putLong(count).putLong(count).putLong(cdSize).putLong(cdOffset);
            b.putInt(ZipDirectory.ZIP64_LOCATOR_SIG).putInt(0).putLong(cdEnd).putInt(1);
        }
        b.putInt(ZipDirectory.EOCD_SIG).putShort((short) 0).putShort((short) 0)
                .putShort((short) Math.min(count, 0xFFFF)).putShort((short) Math.min(count, 0xFFFF))
                .putInt((int) Math.min(cdSize, LIMIT32)).putInt((int) Math.min(cdOffset, LIMIT32)).putShort((short) 0);
        b.flip();
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
