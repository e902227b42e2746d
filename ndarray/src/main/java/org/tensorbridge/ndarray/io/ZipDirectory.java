package org.tensorbridge.ndarray.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a zip file's central directory (including ZIP64 end-of-central-directory records and ZIP64 extra
 * fields) over a memory segment holding the whole file. Every offset and size is checked against the file
 * before use, so a corrupt or lying archive gives an {@link ArrayFileFormatException}, never an
 * out-of-bounds access or a huge allocation.
 */
final class ZipDirectory {
    static final int LOCAL_SIG = 0x04034b50;
    static final int CENTRAL_SIG = 0x02014b50;
    static final int EOCD_SIG = 0x06054b50;
    static final int ZIP64_EOCD_SIG = 0x06064b50;
    static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    static final int METHOD_STORED = 0;
    static final int METHOD_DEFLATED = 8;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final Charset CP437 = cp437();

    /** One member of the archive; {@code dataOffset} is where its (possibly compressed) bytes start. */
    record Entry(String name, int method, int flags, long crc, long compressedSize, long uncompressedSize,
            long localHeaderOffset, long dataOffset) {
    }

    private ZipDirectory() {
    }

    private static Charset cp437() {
        try {
            return Charset.forName("IBM437");
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }

    private static int u16(MemorySegment s, long off) {
        return Short.toUnsignedInt(s.get(U16, off));
    }

    private static long u32(MemorySegment s, long off) {
        return Integer.toUnsignedLong(s.get(U32, off));
    }

    private static long u64(MemorySegment s, long off, Object source, String what) throws ArrayFileFormatException {
        long v = s.get(U64, off);
        if (v < 0) {
            throw ArrayFileFormatException.at(source, off, what + " is " + Long.toUnsignedString(v)
                    + ", larger than any file; the zip is corrupt");
        }
        return v;
    }

    static List<Entry> read(MemorySegment file, Object source) throws ArrayFileFormatException {
        long size = file.byteSize();
        if (size < 22) {
            throw ArrayFileFormatException.in(source, "file is " + size + " bytes, too short to be a zip/.npz archive"
                    + " (the end-of-central-directory record alone takes 22 bytes); it is truncated or not a zip");
        }
        // Find the end-of-central-directory record, scanning back over a comment of up to 65535 bytes.
        long eocd = -1;
        long lowest = Math.max(0, size - 22 - 0xFFFF);
        for (long p = size - 22; p >= lowest; p--) {
            if (file.get(U32, p) == EOCD_SIG && p + 22 + u16(file, p + 20) == size) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) {
            throw ArrayFileFormatException.in(source, "no zip end-of-central-directory record found in the last "
                    + (size - lowest) + " bytes: not a zip/.npz archive, or it is truncated");
        }
        long entries = u16(file, eocd + 10);
        long entriesHere = u16(file, eocd + 8); // on this disk: the same in a single-disk archive
        long cdSize = u32(file, eocd + 12);
        long cdOffset = u32(file, eocd + 16);
        int diskNo = u16(file, eocd + 4);
        long cdLimit = eocd; // the central directory must end before the EOCD (or the ZIP64 records)
        long locator = eocd - 20;
        if (locator >= 0 && file.get(U32, locator) == ZIP64_LOCATOR_SIG) {
            long z64 = u64(file, locator + 8, source, "ZIP64 end-of-central-directory offset");
            if (z64 > locator - 56) {
                throw ArrayFileFormatException.at(source, locator + 8, "ZIP64 end-of-central-directory offset " + z64
                        + " points past the locator at " + locator + "; the zip is corrupt");
            }
            if (file.get(U32, z64) != ZIP64_EOCD_SIG) {
                throw ArrayFileFormatException.at(source, z64, "expected the ZIP64 end-of-central-directory signature"
                        + " 0x06064b50, found 0x" + Integer.toHexString(file.get(U32, z64)));
            }
            entries = u64(file, z64 + 32, source, "ZIP64 entry count");
            entriesHere = u64(file, z64 + 24, source, "ZIP64 entry count on this disk");
            cdSize = u64(file, z64 + 40, source, "ZIP64 central directory size");
            cdOffset = u64(file, z64 + 48, source, "ZIP64 central directory offset");
            diskNo = (int) Math.min(Integer.MAX_VALUE, u32(file, z64 + 16));
            cdLimit = z64;
        } else if (entries == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL) {
            throw ArrayFileFormatException.at(source, eocd, "the end-of-central-directory record says ZIP64 but"
                    + " there is no ZIP64 locator before it; the zip is corrupt or truncated");
        }
        if (diskNo != 0) {
            throw ArrayFileFormatException.at(source, eocd, "multi-disk (split) zip archives are not supported");
        }
        if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
            throw ArrayFileFormatException.at(source, eocd, "central directory (offset " + cdOffset + ", " + cdSize
                    + " bytes) lies outside the file (it must end by byte " + cdLimit + "); the zip is corrupt or"
                    + " truncated");
        }
        if (cdOffset + cdSize != cdLimit) {
            // Python's zipfile (so NumPy) finds the directory by its size, right before these records.
            throw ArrayFileFormatException.at(source, eocd, "central directory (offset " + cdOffset + ", " + cdSize
                    + " bytes) ends at byte " + (cdOffset + cdSize) + " but the end-of-central-directory records"
                    + " start at byte " + cdLimit + "; the zip is corrupt. Re-create it (np.savez / NpzFile.write)");
        }
        if (entriesHere != entries) {
            throw ArrayFileFormatException.at(source, eocd, "the end-of-central-directory record counts " + entries
                    + " entries in all but " + entriesHere + " on this disk, which must be the same in a single-file"
                    + " zip; the zip is corrupt");
        }
        if (entries > cdSize / 46) {
            throw ArrayFileFormatException.at(source, eocd, "the zip declares " + entries + " entries but its "
                    + cdSize + "-byte central directory can hold at most " + cdSize / 46 + "; the zip is corrupt");
        }
        List<Entry> result = new ArrayList<>((int) Math.min(entries, 1 << 16)); // entries may exceed an int
        long p = cdOffset;
        long cdEnd = cdOffset + cdSize;
        for (long i = 0; i < entries; i++) {
            if (p + 46 > cdEnd) {
                throw ArrayFileFormatException.at(source, p, "central directory ends inside entry " + i);
            }
            if (file.get(U32, p) != CENTRAL_SIG) {
                throw ArrayFileFormatException.at(source, p, "expected a central directory header (signature"
                        + " 0x02014b50) for entry " + i + ", found 0x" + Integer.toHexString(file.get(U32, p)));
            }
            int flags = u16(file, p + 8);
            int method = u16(file, p + 10);
            long crc = u32(file, p + 16);
            long csize = u32(file, p + 20);
            long usize = u32(file, p + 24);
            int nameLen = u16(file, p + 28);
            int extraLen = u16(file, p + 30);
            int commentLen = u16(file, p + 32);
            int disk = u16(file, p + 34);
            long lho = u32(file, p + 42);
            long next = p + 46 + nameLen + extraLen + commentLen;
            if (next > cdEnd) {
                throw ArrayFileFormatException.at(source, p, "central directory entry " + i + " (name " + nameLen
                        + ", extra " + extraLen + ", comment " + commentLen + " bytes) runs past the end of the"
                        + " central directory at " + cdEnd);
            }
            byte[] nameBytes = file.asSlice(p + 46, nameLen).toArray(ValueLayout.JAVA_BYTE);
            String name = new String(nameBytes, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : CP437);
            // ZIP64 extended information: the fields present are those whose 32-bit value is all ones.
            long e = p + 46 + nameLen;
            long eEnd = e + extraLen;
            boolean needU = usize == 0xFFFFFFFFL;
            boolean needC = csize == 0xFFFFFFFFL;
            boolean needO = lho == 0xFFFFFFFFL;
            boolean needD = disk == 0xFFFF;
            while (e + 4 <= eEnd) {
                int id = u16(file, e);
                int len = u16(file, e + 2);
                if (e + 4 + len > eEnd) {
                    throw ArrayFileFormatException.at(source, e, "extra field of entry '" + name + "' runs past its"
                            + " declared extra length");
                }
                if (id == 0x0001) {
                    long q = e + 4;
                    long qEnd = q + len;
                    if (needU) {
                        usize = z64Field(file, q, qEnd, source, name, "uncompressed size");
                        q += 8;
                        needU = false;
                    }
                    if (needC) {
                        csize = z64Field(file, q, qEnd, source, name, "compressed size");
                        q += 8;
                        needC = false;
                    }
                    if (needO) {
                        lho = z64Field(file, q, qEnd, source, name, "local header offset");
                        q += 8;
                        needO = false;
                    }
                    if (needD) {
                        needD = false;
                    }
                }
                e += 4 + len;
            }
            if (needU || needC || needO) {
                throw ArrayFileFormatException.at(source, p, "entry '" + name + "' has a 0xFFFFFFFF size/offset but no"
                        + " ZIP64 extra field with the real value; the zip is corrupt");
            }
            if ((flags & 0x1) != 0) {
                throw ArrayFileFormatException.at(source, p, "entry '" + name + "' is encrypted; encrypted zips are"
                        + " not supported");
            }
            if (method != METHOD_STORED && method != METHOD_DEFLATED) {
                throw ArrayFileFormatException.at(source, p, "entry '" + name + "' uses compression method " + method
                        + "; only stored (0, np.savez) and deflated (8, np.savez_compressed) are supported");
            }
            if (method == METHOD_STORED && csize != usize) {
                throw ArrayFileFormatException.at(source, p, "stored entry '" + name + "' declares compressed size "
                        + csize + " but uncompressed size " + usize + " (they must be equal); the zip is corrupt");
            }
            // Local header: the data starts after its own name and extra fields.
            if (lho > cdOffset - 30 || cdOffset < 30) {
                throw ArrayFileFormatException.at(source, p, "entry '" + name + "' has local header offset " + lho
                        + ", outside the data area (which ends at " + cdOffset + ")");
            }
            if (file.get(U32, lho) != LOCAL_SIG) {
                throw ArrayFileFormatException.at(source, lho, "expected the local file header of '" + name
                        + "' (signature 0x04034b50), found 0x" + Integer.toHexString(file.get(U32, lho)));
            }
            long dataOffset = lho + 30 + u16(file, lho + 26) + u16(file, lho + 28);
            if (dataOffset > cdOffset || csize > cdOffset - dataOffset) {
                throw ArrayFileFormatException.at(source, lho, "entry '" + name + "' declares " + csize + " bytes of"
                        + " data at offset " + dataOffset + ", past the start of the central directory at " + cdOffset
                        + "; the zip is truncated or lies about its sizes");
            }
            // Python's zipfile refuses a member whose local header names another file (a spliced or corrupt zip)
            int localFlags = u16(file, lho + 6);
            byte[] localNameBytes = file.asSlice(lho + 30, u16(file, lho + 26)).toArray(ValueLayout.JAVA_BYTE);
            String localName = new String(localNameBytes, (localFlags & 0x800) != 0 ? StandardCharsets.UTF_8 : CP437);
            if (!localName.equals(name)) {
                throw ArrayFileFormatException.at(source, lho, "entry '" + name + "' of the central directory is named '"
                        + localName + "' in its local header; the names must agree, so the zip is corrupt");
            }
            result.add(new Entry(name, method, flags, crc, csize, usize, lho, dataOffset));
            p = next;
        }
        if (p != cdEnd) {
            throw ArrayFileFormatException.at(source, p, "the zip declares " + entries + " entries, which end at byte "
                    + p + ", but its central directory runs to byte " + cdEnd + "; the entry count is wrong and the"
                    + " zip is corrupt");
        }
        return result;
    }

    private static long z64Field(MemorySegment file, long q, long qEnd, Object source, String name, String what)
            throws ArrayFileFormatException {
        if (q + 8 > qEnd) {
            throw ArrayFileFormatException.at(source, q, "ZIP64 extra field of '" + name + "' is too short to hold the "
                    + what);
        }
        return u64(file, q, source, "ZIP64 " + what + " of '" + name + "'");
    }
}
