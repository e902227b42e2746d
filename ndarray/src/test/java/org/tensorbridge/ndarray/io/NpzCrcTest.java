package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.testkit.Python;

/**
 * Entries mapped without a copy are CRC-checked like every other: a stored, aligned entry with one flipped byte,
 * which NumPy refuses (BadZipFile: Bad CRC-32), is refused on first access in every mode, with a message naming
 * the entry and both CRC values (computed here by Python's zipfile/zlib, not typed in).
 */
class NpzCrcTest {
    @TempDir
    Path dir;

    /** Flips one byte in the middle of entry a.npy's array data; NumPy must refuse the file. Returns the CRCs. */
    private String[] corruptAndCheckNumpyRefuses(Path npz) {
        String out = Python.numpy2().run("""
                import sys, struct, zipfile, zlib, numpy as np
                p = sys.argv[1]
                z = zipfile.ZipFile(p)
                info = z.getinfo('a.npy')
                b = bytearray(open(p, 'rb').read())
                o = info.header_offset
                start = o + 30 + struct.unpack('<H', b[o + 26:o + 28])[0] + struct.unpack('<H', b[o + 28:o + 30])[0]
                flip = start + 128 + (info.file_size - 128) // 2
                b[flip] ^= 0x10
                open(p, 'wb').write(b)
                actual = zlib.crc32(bytes(b[start:start + info.compress_size]))
                try:
                    np.load(p)['a']
                    raise SystemExit('NumPy accepted the corrupt file')
                except zipfile.BadZipFile as e:
                    assert 'CRC' in str(e), e
                print('%08x %08x' % (info.CRC, actual))
                """, npz.toString()).trim();
        return out.split(" ");
    }

    private void assertRefusedInEveryMode(Path npz, String[] crcs) throws Exception {
        for (MmapMode mode : new MmapMode[] {MmapMode.READ_ONLY, MmapMode.COPY_ON_WRITE, null}) {
            try (NpzArchive z = NpzFile.open(npz, mode)) {     // opening stays cheap: the directory only
                assertEquals(mode != null, z.isMemoryMapped("a"), "the entry is " + (mode != null ? "" : "not ")
                        + "mapped zero-copy in mode " + mode);
                ArrayFileFormatException e = assertThrows(ArrayFileFormatException.class, z::readAll, "mode " + mode);
                String m = e.getMessage();
                assertTrue(m.contains(npz.toString()) && m.contains("'a.npy'") && m.contains("CRC-32 mismatch")
                        && m.contains(crcs[0]) && m.contains(crcs[1]) && m.contains("corrupt"), m);
            }
        }
    }

    @Test
    void numpySavezEntryWithAFlippedByteIsRefused() throws Exception {
        Path npz = dir.resolve("numpy.npz");
        // uint8: any offset is aligned, so np.savez's unaligned entry is still mapped without a copy
        Python.numpy2().run("import sys, numpy as np\nnp.savez(sys.argv[1], a=(np.arange(4096) % 251).astype(np.uint8))",
                npz.toString());
        assertRefusedInEveryMode(npz, corruptAndCheckNumpyRefuses(npz));
    }

    @Test
    void alignedFloatEntryWithAFlippedByteIsRefused() throws Exception {
        Path npz = dir.resolve("ours.npz");
        try (NDArray a = IoFixtures.patterned(DType.FLOAT32, 5, 64, 64)) {
            NpzFile.write(npz, Map.of("a", a), false); // 64-byte aligned entries
        }
        assertRefusedInEveryMode(npz, corruptAndCheckNumpyRefuses(npz));
    }

    @Test
    void intactMappedEntryLoadsAndIsCheckedOnlyOnce() throws Exception {
        Path npz = dir.resolve("ok.npz");
        Python.numpy2().run("import sys, numpy as np\nnp.savez(sys.argv[1], a=(np.arange(4096) % 251).astype(np.uint8))",
                npz.toString());
        String expected = Python.numpy2().run("import sys, numpy as np\nprint(' '.join(str(int(x)) for x in"
                + " np.load(sys.argv[1])['a'][[0, 250, 251, 4095]]))", npz.toString()).trim();
        try (NpzArchive z = NpzFile.open(npz); NDArray a = z.get("a"); NDArray again = z.get("a")) {
            assertTrue(z.isMemoryMapped("a"));
            assertEquals(expected, a.getLong(0) + " " + a.getLong(250) + " " + a.getLong(251) + " " + a.getLong(4095));
            assertArrayEquals(IoFixtures.cBytes(a), IoFixtures.cBytes(again));
        }
    }
}
