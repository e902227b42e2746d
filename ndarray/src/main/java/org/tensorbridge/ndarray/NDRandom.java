package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * A seeded random generator for arrays. The stream is {@link SplittableRandom}'s (SplitMix64), so results
 * are deterministic per seed and platform-independent, but they do NOT reproduce NumPy's bit streams
 * (PCG64); compare distributions, not values. Not thread-safe.
 */
public final class NDRandom {
    private final SplittableRandom rng;

    public NDRandom(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /** Uniform float64 in [low, high). */
    public NDArray uniform(double low, double high, long... shape) {
        NDArray out = NDArray.empty(DType.FLOAT64, shape);
        MemorySegment s = out.buffer().memory();
        for (long i = 0, n = out.size(); i < n; i++) {
            s.setAtIndex(Elements.F64, i, low + (high - low) * rng.nextDouble());
        }
        return out;
    }

    /** Uniform in [0, 1) of a float dtype (float32 values are drawn as float32 directly). */
    public NDArray random(DType dtype, long... shape) {
        NDArray out = NDArray.empty(dtype, shape);
        MemorySegment s = out.buffer().memory();
        long item = dtype.byteSize();
        for (long i = 0, n = out.size(); i < n; i++) {
            double v = dtype == DType.FLOAT32 ? (rng.nextInt() >>> 8) * 0x1.0p-24 : rng.nextDouble();
            Elements.setDouble(s, i * item, dtype, v);
        }
        return out;
    }

    /** Normal(mean, std) float64. */
    public NDArray normal(double mean, double std, long... shape) {
        NDArray out = NDArray.empty(DType.FLOAT64, shape);
        MemorySegment s = out.buffer().memory();
        for (long i = 0, n = out.size(); i < n; i++) {
            s.setAtIndex(Elements.F64, i, mean + std * rng.nextGaussian());
        }
        return out;
    }

    /** Uniform int64 in [low, high). */
    public NDArray integers(long low, long high, long... shape) {
        if (high <= low) {
            throw new IllegalArgumentException("integers: low >= high (" + low + " >= " + high + ")");
        }
        NDArray out = NDArray.empty(DType.INT64, shape);
        MemorySegment s = out.buffer().memory();
        for (long i = 0, n = out.size(); i < n; i++) {
            s.setAtIndex(Elements.I64, i, rng.nextLong(low, high));
        }
        return out;
    }

    /** A random permutation of 0..n-1 (int64). */
    public NDArray permutation(long n) {
        NDArray out = Creation.arange(0, n, 1);
        shuffle(out);
        return out;
    }

    /** Shuffles {@code a} in place along axis 0 (Fisher-Yates). */
    public void shuffle(NDArray a) {
        a.checkWritable();
        if (a.ndim() == 0) {
            throw new IllegalArgumentException("cannot shuffle a 0-d array");
        }
        long n = a.shape(0);
        if (a.ndim() == 1) {
            MemorySegment s = a.buffer().memory();
            long st = a.stridesRef()[0];
            long base = a.byteOffset();
            int item = a.dtype().byteSize();
            byte[] tmp = new byte[item];
            MemorySegment t = MemorySegment.ofArray(tmp);
            for (long i = n - 1; i > 0; i--) {
                long j = rng.nextLong(i + 1);
                if (j != i) {
                    MemorySegment.copy(s, base + i * st, t, 0, item);
                    MemorySegment.copy(s, base + j * st, s, base + i * st, item);
                    MemorySegment.copy(t, 0, s, base + j * st, item);
                }
            }
            return;
        }
        long[] rowShape = java.util.Arrays.copyOfRange(a.shapeRef(), 1, a.ndim());
        try (NDArray tmp = NDArray.empty(a.dtype(), rowShape)) {
            for (long i = n - 1; i > 0; i--) {
                long j = rng.nextLong(i + 1);
                if (j != i) {
                    try (NDArray ri = a.select(0, i); NDArray rj = a.select(0, j)) {
                        Copier.copy(ri, tmp);
                        Copier.copy(rj, ri);
                        Copier.copy(tmp, rj);
                    }
                }
            }
        }
    }
}
