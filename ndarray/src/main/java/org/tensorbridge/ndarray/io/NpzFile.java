package org.tensorbridge.ndarray.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDBuffer;

/**
 * Reads and writes NumPy {@code .npz} archives: a zip of {@code name.npy} members, stored ({@code np.savez})
 * or deflated ({@code np.savez_compressed}), with ZIP64 support. See {@link NpzArchive} for what is
 * memory-mapped and what is copied.
 */
public final class NpzFile {
    private NpzFile() {
    }

    /** Reads every array into fresh owning arrays (names without {@code .npy}, in archive order). */
    public static Map<String, NDArray> read(Path path) throws IOException {
        try (NpzArchive archive = open(path, null)) {
            return archive.readAll();
        }
    }

    /** Opens the archive read-only; {@link NpzArchive#get} maps aligned stored entries zero-copy. */
    public static NpzArchive open(Path path) throws IOException {
        return open(path, MmapMode.READ_ONLY);
    }

    /**
     * Opens the archive. {@code mode} is {@link MmapMode#READ_ONLY} or {@link MmapMode#COPY_ON_WRITE} (zero-copy
     * arrays are then writable in memory only), or null to copy every array. {@link MmapMode#READ_WRITE} is
     * refused: writing through would invalidate the archive's CRCs.
     */
    public static NpzArchive open(Path path, MmapMode mode) throws IOException {
        if (mode == MmapMode.READ_WRITE) {
            throw new IllegalArgumentException("npz archives cannot be mapped read-write (r+): writes would not"
                    + " update the zip CRCs. Use READ_ONLY or COPY_ON_WRITE, or save separate .npy files");
        }
        MmapMode m = mode == null ? MmapMode.READ_ONLY : mode;
        // Released by the GC once unreachable, like NpyFile.mmap's mapping (see there why).
        NDBuffer buf = NDBuffer.ofAutoScope(FileMapping.map(path, m, Arena.ofAuto()));
        try {
            return new NpzArchive(path, buf, mode);
        } catch (IOException | RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /**
     * Writes {@code arrays} as {@code name.npy} members, deflated if {@code compressed} (like
     * {@code np.savez_compressed}) or stored (like {@code np.savez}), in the map's iteration order.
     */
    public static void write(Path path, Map<String, NDArray> arrays, boolean compressed) throws IOException {
        write(path, arrays, compressed, false);
    }

    /** As {@link #write(Path, Map, boolean)}; {@code forceZip64} writes ZIP64 records even where not needed. */
    static void write(Path path, Map<String, NDArray> arrays, boolean compressed, boolean forceZip64)
            throws IOException {
        // Validate everything before creating the file.
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("npz array names must be non-empty");
            }
            NpyHeader.descrOf(e.getValue().dtype(), false); // refuses bfloat16
        }
        ArrayIo.writeAtomically(path, ch -> {
            try (ZipWriter zip = new ZipWriter(ch, forceZip64)) {
                for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
                    NDArray a = e.getValue();
                    try (ArrayIo.Layout layout = ArrayIo.layout(a, true)) {
                        byte[] header = NpyHeader.format(a.dtype(), a.shape(), layout.fortran());
                        zip.add(e.getKey() + ".npy", header, layout.data(), compressed);
                    }
                }
            }
        });
    }
}
