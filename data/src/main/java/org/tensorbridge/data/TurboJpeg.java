package org.tensorbridge.data;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * JPEG decoding through libjpeg-turbo's TurboJPEG API (Debian's {@code libturbojpeg0}), the decoder PIL uses
 * — about twice as fast as ImageIO's, and the same pixels as PIL (same library, same default DCT). When the
 * library is not installed, {@link #available()} is false and callers decode with ImageIO.
 */
final class TurboJpeg {
    private static final int TJPF_RGB = 0;
    private static final MethodHandle INIT, HEADER, DECOMPRESS, ERROR;
    private static final ThreadLocal<MemorySegment> HANDLE;

    static {
        MethodHandle init = null, header = null, decompress = null, error = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup lib = SymbolLookup.libraryLookup("libturbojpeg.so.0", Arena.global());
            // critical(true): the compressed bytes and the pixels stay Java arrays, read and written in place
            Linker.Option heap = Linker.Option.critical(true);
            init = linker.downcallHandle(lib.find("tjInitDecompress").orElseThrow(), FunctionDescriptor.of(ADDRESS));
            header = linker.downcallHandle(lib.find("tjDecompressHeader3").orElseThrow(), FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS), heap);
            decompress = linker.downcallHandle(lib.find("tjDecompress2").orElseThrow(), FunctionDescriptor.of(JAVA_INT,
                    ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), heap);
            error = linker.downcallHandle(lib.find("tjGetErrorStr2").orElseThrow(), FunctionDescriptor.of(ADDRESS, ADDRESS));
        } catch (RuntimeException | Error notInstalled) {
            init = null;  // no libturbojpeg (or no native access): ImageIO decodes instead
        }
        INIT = init;
        HEADER = header;
        DECOMPRESS = decompress;
        ERROR = error;
        HANDLE = ThreadLocal.withInitial(TurboJpeg::newHandle);
    }

    private TurboJpeg() {
    }

    static boolean available() {
        return INIT != null;
    }

    private static MemorySegment newHandle() {
        try {
            return (MemorySegment) INIT.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("tjInitDecompress failed", t);
        }
    }

    /** Decoded pixels: interleaved RGB bytes, {@code height} rows of {@code width}. */
    record Image(byte[] rgb, int height, int width) {
    }

    static Image decode(byte[] jpeg, Object source) throws IOException {
        MemorySegment handle = HANDLE.get();
        int[] dims = new int[4];
        MemorySegment in = MemorySegment.ofArray(jpeg);
        try {
            MemorySegment out = MemorySegment.ofArray(dims);
            int status = (int) HEADER.invokeExact(handle, in, (long) jpeg.length, out, out.asSlice(4), out.asSlice(8),
                    out.asSlice(12));
            if (status != 0) {
                throw new IOException(source + ": not a JPEG libjpeg-turbo can read: " + error(handle));
            }
            int width = dims[0];
            int height = dims[1];
            byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
            status = (int) DECOMPRESS.invokeExact(handle, in, (long) jpeg.length, MemorySegment.ofArray(rgb), width,
                    width * 3, height, TJPF_RGB, 0);
            if (status != 0) {
                throw new IOException(source + ": corrupt JPEG: " + error(handle));
            }
            return new Image(rgb, height, width);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(source + ": libjpeg-turbo failed", t);
        }
    }

    private static String error(MemorySegment handle) throws Throwable {
        return ((MemorySegment) ERROR.invokeExact(handle)).reinterpret(1024).getString(0);
    }
}
