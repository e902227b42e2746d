package org.tensorbridge.ndarray.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Maps a whole file in one of NumPy's modes.
 *
 * <p>{@link MmapMode#COPY_ON_WRITE} opens the file <em>read-only</em> and maps it privately, as NumPy's
 * {@code mmap_mode='c'} does (POSIX allows a private writable mapping of a read-only descriptor), so a dataset
 * on a read-only mount, or a file without write permission, maps without a copy. The JDK's
 * {@link FileChannel#map} refuses {@code PRIVATE} on a channel not open for writing, so on Linux and macOS this
 * class calls libc's {@code open}/{@code mmap} through the FFM API (a restricted method: run with
 * {@code --enable-native-access=ALL-UNNAMED}, as the rest of tensorbridge requires). Where that is not possible
 * (another OS, or native access denied) it falls back to the JDK, which needs the file to be writable — it is
 * still never modified.
 */
final class FileMapping {
    private FileMapping() {
    }

    /**
     * Maps all of {@code path} in {@code mode}; the mapping lives as long as {@code arena} (unmapped when the
     * arena is closed or, for an automatic arena, once unreachable).
     */
    static MemorySegment map(Path path, MmapMode mode, Arena arena) throws IOException {
        if (mode == MmapMode.COPY_ON_WRITE && Native.AVAILABLE) {
            return Native.mapPrivate(path, arena);
        }
        var options = mode == MmapMode.COPY_ON_WRITE
                ? java.util.Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE) : mode.openOptions();
        try (FileChannel ch = FileChannel.open(path, options)) {
            return ch.map(mode.mapMode(), 0, ch.size(), arena);
        } catch (FileSystemException e) {
            if (mode == MmapMode.COPY_ON_WRITE && !(e instanceof NoSuchFileException)) {
                throw new AccessDeniedException(path.toString(), null, e.getReason() + "; mapping a read-only file"
                        + " copy-on-write needs"
                        + " libc's mmap through the FFM API, which is unavailable here (" + Native.WHY_NOT + "): run"
                        + " with --enable-native-access=ALL-UNNAMED on Linux/macOS, make the file writable (it is"
                        + " never modified), or use MmapMode.READ_ONLY");
            }
            throw e;
        }
    }

    /** Whether {@link MmapMode#COPY_ON_WRITE} maps through libc (read-only open) here. */
    static boolean copyOnWriteOpensReadOnly() {
        return Native.AVAILABLE;
    }

    /** libc's open/lseek/mmap/munmap/close, bound once. */
    private static final class Native {
        static final boolean AVAILABLE;
        static final String WHY_NOT;
        private static final MethodHandle OPEN;
        private static final MethodHandle LSEEK;
        private static final MethodHandle MMAP;
        private static final MethodHandle MUNMAP;
        private static final MethodHandle CLOSE;
        private static final MethodHandle STRERROR;
        private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final int O_RDONLY = 0;
        private static final int O_CLOEXEC;
        private static final int SEEK_END = 2;
        private static final int PROT_READ = 1;
        private static final int PROT_WRITE = 2;
        private static final int MAP_PRIVATE = 2;
        private static final int ENOENT = 2;
        private static final int EACCES = 13;
        private static final Charset PATH_CHARSET = pathCharset();

        static {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            boolean linux = os.contains("linux");
            boolean mac = os.contains("mac") || os.contains("darwin");
            O_CLOEXEC = linux ? 0x80000 : 0x1000000;
            MethodHandle open = null;
            MethodHandle lseek = null;
            MethodHandle mmap = null;
            MethodHandle munmap = null;
            MethodHandle close = null;
            MethodHandle strerror = null;
            String why = null;
            if (!linux && !mac) {
                why = "not Linux or macOS";
            } else {
                try {
                    Linker linker = Linker.nativeLinker();
                    SymbolLookup libc = linker.defaultLookup();
                    Linker.Option errno = Linker.Option.captureCallState("errno");
                    ValueLayout sizeT = ValueLayout.JAVA_LONG;
                    open = linker.downcallHandle(libc.findOrThrow("open"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                            Linker.Option.firstVariadicArg(2), errno);
                    lseek = linker.downcallHandle(libc.findOrThrow("lseek"), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), errno);
                    mmap = linker.downcallHandle(libc.findOrThrow("mmap"), FunctionDescriptor.of(ValueLayout.ADDRESS,
                            ValueLayout.ADDRESS, sizeT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_LONG), errno);
                    munmap = linker.downcallHandle(libc.findOrThrow("munmap"), FunctionDescriptor.of(
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, sizeT));
                    close = linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT));
                    strerror = linker.downcallHandle(libc.findOrThrow("strerror"), FunctionDescriptor.of(
                            ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
                } catch (RuntimeException | LinkageError e) {
                    why = "native access: " + e;
                }
            }
            AVAILABLE = why == null;
            WHY_NOT = why;
            OPEN = open;
            LSEEK = lseek;
            MMAP = mmap;
            MUNMAP = munmap;
            CLOSE = close;
            STRERROR = strerror;
        }

        private static Charset pathCharset() {
            try {
                return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
            } catch (RuntimeException e) {
                return java.nio.charset.StandardCharsets.UTF_8;
            }
        }

        static MemorySegment mapPrivate(Path path, Arena arena) throws IOException {
            // Java's own open first, for the usual exceptions (no such file, access denied, ...).
            FileChannel.open(path, StandardOpenOption.READ).close();
            long addr;
            long size;
            try (Arena local = Arena.ofConfined()) {
                MemorySegment state = local.allocate(CAPTURE);
                MemorySegment cpath = local.allocateFrom(path.toAbsolutePath().toString(), PATH_CHARSET);
                int fd = (int) OPEN.invokeExact(state, cpath, O_RDONLY | O_CLOEXEC, 0);
                if (fd < 0) {
                    throw error(path, "open", (int) ERRNO.get(state, 0L));
                }
                try {
                    size = (long) LSEEK.invokeExact(state, fd, 0L, SEEK_END);
                    if (size < 0) {
                        throw error(path, "lseek", (int) ERRNO.get(state, 0L));
                    }
                    if (size == 0) {
                        return arena.allocate(0); // mmap refuses length 0; the parsers refuse an empty file
                    }
                    MemorySegment m = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, size,
                            PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0L);
                    if (m.address() == -1L) {
                        throw error(path, "mmap", (int) ERRNO.get(state, 0L));
                    }
                    addr = m.address();
                } finally {
                    int ignored = (int) CLOSE.invokeExact(fd); // the mapping stays valid after close
                }
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("libc call failed", t);
            }
            long len = size;
            try {
                return MemorySegment.ofAddress(addr).reinterpret(len, arena, s -> unmap(addr, len));
            } catch (RuntimeException | Error e) {
                unmap(addr, len);
                throw e;
            }
        }

        private static void unmap(long addr, long len) {
            try {
                int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(addr), len);
            } catch (Throwable t) {
                // munmap of our own mapping cannot fail; a cleanup action must never throw
            }
        }

        private static IOException error(Path path, String call, int errno) {
            String reason;
            try {
                reason = ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0);
            } catch (Throwable t) {
                reason = "errno " + errno;
            }
            String msg = call + " for a copy-on-write mapping failed: " + reason;
            return switch (errno) {
                case ENOENT -> new NoSuchFileException(path.toString(), null, msg);
                case EACCES -> new AccessDeniedException(path.toString(), null, msg + "; copy-on-write needs only"
                        + " read permission");
                default -> new FileSystemException(path.toString(), null, msg);
            };
        }
    }
}
