package org.tensorbridge.ndarray.io;

import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/** NumPy's {@code mmap_mode} values for memory-mapped reading. */
public enum MmapMode {
    /** NumPy {@code 'r'}: the array is read-only; writes throw. */
    READ_ONLY("r", FileChannel.MapMode.READ_ONLY, Set.of(StandardOpenOption.READ)),
    /**
     * NumPy {@code 'c'}: copy-on-write; the array is writable but changes stay in memory and never reach the
     * file. As in NumPy the file is opened read-only, so files without write permission and files on read-only
     * mounts map too (on Linux and macOS, through libc's mmap: see {@code FileMapping}).
     */
    COPY_ON_WRITE("c", FileChannel.MapMode.PRIVATE, Set.of(StandardOpenOption.READ)),
    /** NumPy {@code 'r+'}: writes go to the file. */
    READ_WRITE("r+", FileChannel.MapMode.READ_WRITE, Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));

    private final String numpyName;
    private final FileChannel.MapMode mapMode;
    private final Set<OpenOption> openOptions;

    MmapMode(String numpyName, FileChannel.MapMode mapMode, Set<? extends OpenOption> openOptions) {
        this.numpyName = numpyName;
        this.mapMode = mapMode;
        this.openOptions = Set.copyOf(openOptions);
    }

    /** The NumPy spelling: {@code "r"}, {@code "c"} or {@code "r+"}. */
    public String numpyName() {
        return numpyName;
    }

    /** The {@link FileChannel.MapMode} used to map the file. */
    public FileChannel.MapMode mapMode() {
        return mapMode;
    }

    Set<OpenOption> openOptions() {
        return openOptions;
    }

    /** Parses NumPy's spelling ({@code "r"}, {@code "c"}, {@code "r+"}; also {@code "readonly"}, {@code "copyonwrite"}, {@code "readwrite"}). */
    public static MmapMode fromNumpyName(String name) {
        return switch (name) {
            case "r", "readonly" -> READ_ONLY;
            case "c", "copyonwrite" -> COPY_ON_WRITE;
            case "r+", "readwrite" -> READ_WRITE;
            default -> throw new IllegalArgumentException(
                    "unknown mmap mode '" + name + "'; use 'r', 'c' or 'r+' ('w+' creates files: use NpyFile.write)");
        };
    }
}
