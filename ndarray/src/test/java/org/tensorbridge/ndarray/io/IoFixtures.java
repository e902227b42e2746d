package org.tensorbridge.ndarray.io;

import org.tensorbridge.core.DType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorbridge.ndarray.NDArray;

/** Deterministic test arrays and raw-byte helpers shared by the io tests. */
final class IoFixtures {
    private IoFixtures() {
    }

    /**
     * A C-contiguous array whose bytes follow a deterministic pseudo-random pattern (bools are 0/1, floats never
     * NaN so that value comparisons stay meaningful).
     */
    static NDArray patterned(DType dtype, long seed, long... shape) {
        NDArray a = NDArray.zeros(dtype, shape);
        MemorySegment s = a.segment();
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (long i = 0; i < s.byteSize(); i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            s.set(ValueLayout.JAVA_BYTE, i, (byte) x);
        }
        if (dtype == DType.BOOL) {
            for (long i = 0; i < s.byteSize(); i++) {
                s.set(ValueLayout.JAVA_BYTE, i, (byte) (s.get(ValueLayout.JAVA_BYTE, i) & 1));
            }
        }
        if (dtype.isFloatingPoint() || dtype.isComplex()) {
            // Clear the top exponent bit of every component so no value is NaN/inf.
            int comp = dtype.isComplex() ? dtype.byteSize() / 2 : dtype.byteSize();
            for (long i = comp - 1; i < s.byteSize(); i += comp) {
                s.set(ValueLayout.JAVA_BYTE, i, (byte) (s.get(ValueLayout.JAVA_BYTE, i) & 0xBF));
            }
        }
        return a;
    }

    /** The array's elements in C order as little-endian bytes. */
    static byte[] cBytes(NDArray a) {
        if (a.isCContiguous()) {
            return a.segment().toArray(ValueLayout.JAVA_BYTE);
        }
        try (NDArray c = a.copy()) {
            return c.segment().toArray(ValueLayout.JAVA_BYTE);
        }
    }

    static void dump(Path file, NDArray a) throws IOException {
        Files.write(file, cBytes(a));
    }

    /** Python helpers prepended to check scripts: load_ok(npy-array, bin path, dtype name, shape). */
    static final String PY_PRELUDE = """
            import sys, os, json, struct, zipfile
            import numpy as np
            def cbytes(a):
                a = np.asarray(a)
                return np.ascontiguousarray(a.astype(a.dtype.newbyteorder('<'))).tobytes(order='C')
            def check(label, a, binpath, dtype, shape):
                data = open(binpath, 'rb').read()
                assert a.dtype.name == dtype, (label, a.dtype.name, dtype)
                assert tuple(a.shape) == tuple(shape), (label, a.shape, shape)
                assert cbytes(a) == data, (label, 'bytes differ')
            """;
}
