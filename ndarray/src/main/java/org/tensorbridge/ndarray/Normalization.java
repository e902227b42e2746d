package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.tensorbridge.ndarray.Elements.F32;

import java.lang.foreign.MemorySegment;

/** Per-channel normalisation {@code (x - mean[c]) / std[c]} into a new float32 array. */
final class Normalization {
    private Normalization() {
    }

    static NDArray normalize(NDArray x, float[] mean, float[] std, int channelAxis) {
        x.checkOpen();
        if (x.dtype().isComplex()) {
            throw new IllegalArgumentException("normalize does not take complex arrays");
        }
        int ax = Shapes.axis(channelAxis, x.ndim());
        long[] shape = x.shapeRef();
        long channels = shape[ax];
        if (mean.length != channels || std.length != channels) {
            throw new IllegalArgumentException("normalize: axis " + channelAxis + " of shape " + Shapes.str(shape)
                    + " has " + channels + " channels but mean has " + mean.length + " and std has " + std.length
                    + " values");
        }
        NDArray out;
        NDArray src;
        if (x.dtype() == DType.FLOAT32 && x.isCContiguous()) {
            out = NDArray.empty(DType.FLOAT32, shape);
            src = x;
        } else {
            out = NDArray.empty(DType.FLOAT32, shape); // one conversion pass into C order, then normalise in place
            try {
                Copier.copy(x, out);
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
            src = out;
        }
        long outer = 1;
        for (int i = 0; i < ax; i++) {
            outer *= shape[i];
        }
        long inner = 1;
        for (int i = ax + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        long n = out.size();
        if (n == 0) {
            return out;
        }
        MemorySegment in = src.buffer().memory().asSlice(src.byteOffset(), src.nbytes());
        MemorySegment o = out.buffer().memory().asSlice(0, out.nbytes());
        long c = channels;
        long in1 = inner;
        if (inner >= 256) {
            // one block per (outer, channel): a contiguous run of `inner` values
            long blocks = outer * c;
            long blocksPerChunk = Math.max(1, 65536 / inner);
            long chunks = (blocks + blocksPerChunk - 1) / blocksPerChunk;
            Copier.ChunkBody body = (from, to) -> {
                for (long ch = from; ch < to; ch++) {
                    long b0 = ch * blocksPerChunk;
                    long b1 = Math.min(blocks, b0 + blocksPerChunk);
                    for (long b = b0; b < b1; b++) {
                        int k = (int) (b % c);
                        float m = mean[k];
                        float s = std[k];
                        long start = b * in1;
                        long end = start + in1;
                        for (long i = start; i < end; i++) {
                            o.setAtIndex(F32, i, (in.getAtIndex(F32, i) - m) / s);
                        }
                    }
                }
            };
            Copier.split(chunks, n >= Copier.PARALLEL_THRESHOLD, body);
        } else {
            // small inner extent (e.g. channels-last): per outer row, loop channels then the inner run
            Copier.split(outer, n >= Copier.PARALLEL_THRESHOLD, (f, t) -> {
                for (long r = f; r < t; r++) {
                    long base = r * c * in1;
                    for (int k = 0; k < c; k++) {
                        float m = mean[k];
                        float s = std[k];
                        long start = base + k * in1;
                        for (long i = start; i < start + in1; i++) {
                            o.setAtIndex(F32, i, (in.getAtIndex(F32, i) - m) / s);
                        }
                    }
                }
            });
        }
        return out;
    }
}
