package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.tensorbridge.ndarray.Elements.F32;
import static org.tensorbridge.ndarray.Elements.F64;
import static org.tensorbridge.ndarray.Elements.I16;
import static org.tensorbridge.ndarray.Elements.I32;
import static org.tensorbridge.ndarray.Elements.I64;
import static org.tensorbridge.ndarray.Elements.I8;

import java.lang.foreign.MemorySegment;

/** Copies (and converts) elements between arrays of equal shape and any strides. */
final class Copier {
    private Copier() {
    }

    /** Elements from which contiguous work may be split across {@link ParallelLoops}. */
    static final long PARALLEL_THRESHOLD = ParallelLoops.MIN_ELEMENTS;
    private static final int TILE = 64;

    /** Runs {@code body(from, to)} over [0, n) in chunks, in parallel when n or the {@code bytes} touched are large. */
    static void chunked(long n, long bytes, ChunkBody body) {
        ParallelLoops.run(ParallelLoops.partsFor(n, bytes), (p, ps) -> {
            long from = n * p / ps;
            long to = n * (p + 1) / ps;
            if (from < to) {
                body.run(from, to);
            }
        });
    }

    /** Runs {@code body} over [0, count), split across the loop threads when {@code parallel}. */
    static void split(long count, boolean parallel, ChunkBody body) {
        int parts = parallel ? (int) Math.min(count, ParallelLoops.partsFor(Long.MAX_VALUE)) : 1;
        ParallelLoops.run(Math.max(parts, 1), (p, ps) -> {
            long from = count * p / ps;
            long to = count * (p + 1) / ps;
            if (from < to) {
                body.run(from, to);
            }
        });
    }

    @FunctionalInterface
    interface ChunkBody {
        void run(long from, long to);
    }

    static void copy(NDArray src, NDArray dst) {
        long[] shape = src.shapeRef();
        MemorySegment s = src.buffer().memory();
        MemorySegment d = dst.buffer().memory();
        DType st = src.dtype();
        DType dt = dst.dtype();
        long n = src.size();
        if (n == 0) {
            return;
        }
        if (src.isCContiguous() && dst.isCContiguous()) {
            long so = src.byteOffset();
            long dof = dst.byteOffset();
            if (st == dt) {
                long item0 = st.byteSize();
                chunked(n, 2 * n * item0, (from, to) -> BulkCopy.copy(s, so + from * item0, d, dof + from * item0,
                        (to - from) * item0));
                return;
            }
        }
        long[][] c = NdIter.coalesce(shape, new long[][] {src.stridesRef(), dst.stridesRef()});
        long[] sh = c[0];
        int nd = sh.length;
        long item = st.byteSize();
        if (st == dt && nd >= 2 && c[1][nd - 1] != item && c[2][nd - 1] == item) {
            // transposed-like: tile the last two axes so both sides stay in cache
            long[] outerShape = java.util.Arrays.copyOf(sh, nd - 2);
            long[] os = java.util.Arrays.copyOf(c[1], nd - 2);
            long[] od = java.util.Arrays.copyOf(c[2], nd - 2);
            long rows = sh[nd - 2], cols = sh[nd - 1];
            long srs = c[1][nd - 2], scs = c[1][nd - 1], drs = c[2][nd - 2], dcs = c[2][nd - 1];
            NdIter.forEachRow(outerShape.length == 0 ? new long[0] : outerShape, new long[][] {os, od},
                    new long[] {src.byteOffset(), dst.byteOffset()}, (offs, cnt, inner) -> {
                        for (long r = 0; r < cnt; r++) {
                            tiled(s, offs[0] + r * inner[0], d, offs[1] + r * inner[1], rows, cols,
                                    srs, scs, drs, dcs, (int) item);
                        }
                    });
            return;
        }
        if (Kernels.copy(src, dst)) {
            return;
        }
        NdIter.forEachRow(shape, new long[][] {src.stridesRef(), dst.stridesRef()},
                new long[] {src.byteOffset(), dst.byteOffset()}, (offs, cnt, inner) -> {
                    long so = offs[0], dof = offs[1];
                    long ss = inner[0], ds = inner[1];
                    if (st == dt) {
                        if (ss == item && ds == item) {
                            BulkCopy.copy(s, so, d, dof, cnt * item);
                        } else {
                            stridedSame(s, so, ss, d, dof, ds, cnt, (int) item);
                        }
                    } else {
                        for (long i = 0; i < cnt; i++) {
                            Elements.convert(s, so + i * ss, st, d, dof + i * ds, dt);
                        }
                    }
                });
    }

    private static void tiled(MemorySegment s, long sBase, MemorySegment d, long dBase, long rows, long cols,
            long srs, long scs, long drs, long dcs, int item) {
        long rowTiles = (rows + TILE - 1) / TILE;
        if (item == 1 && srs == 1 && dcs == 1) {
            // bytes whose source columns are contiguous: eight by eight through longs
            split(rowTiles, rows * cols >= PARALLEL_THRESHOLD, (from, to) -> {
                long r0 = from * TILE;
                long r1 = Math.min(rows, to * TILE);
                ByteTranspose.transpose(s, sBase + r0, scs, d, dBase + r0 * drs, drs, r1 - r0, cols);
            });
            return;
        }
        ChunkBody body = (from, to) -> {
            for (long rt = from; rt < to; rt++) {
                long r0 = rt * TILE;
                long r1 = Math.min(rows, r0 + TILE);
                for (long c0 = 0; c0 < cols; c0 += TILE) {
                    long c1 = Math.min(cols, c0 + TILE);
                    for (long r = r0; r < r1; r++) {
                        stridedSame(s, sBase + r * srs + c0 * scs, scs, d, dBase + r * drs + c0 * dcs, dcs,
                                c1 - c0, item);
                    }
                }
            }
        };
        split(rowTiles, rows * cols >= PARALLEL_THRESHOLD, body);
    }

    static void stridedSame(MemorySegment s, long so, long ss, MemorySegment d, long dof, long ds, long n, int item) {
        switch (item) {
            case 1 -> {
                for (long i = 0; i < n; i++) {
                    d.set(I8, dof + i * ds, s.get(I8, so + i * ss));
                }
            }
            case 2 -> {
                for (long i = 0; i < n; i++) {
                    d.set(I16, dof + i * ds, s.get(I16, so + i * ss));
                }
            }
            case 4 -> {
                for (long i = 0; i < n; i++) {
                    d.set(I32, dof + i * ds, s.get(I32, so + i * ss));
                }
            }
            case 8 -> {
                for (long i = 0; i < n; i++) {
                    d.set(I64, dof + i * ds, s.get(I64, so + i * ss));
                }
            }
            default -> {
                for (long i = 0; i < n; i++) {
                    MemorySegment.copy(s, so + i * ss, d, dof + i * ds, item);
                }
            }
        }
    }
}
