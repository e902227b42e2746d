package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.tensorbridge.ndarray.Elements.F32;
import static org.tensorbridge.ndarray.Elements.F64;
import static org.tensorbridge.ndarray.Elements.I16;
import static org.tensorbridge.ndarray.Elements.I32;
import static org.tensorbridge.ndarray.Elements.I64;
import static org.tensorbridge.ndarray.Elements.I8;

import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/** Copies (and converts) elements between arrays of equal shape and any strides. */
final class Copier {
    private Copier() {
    }

    /** Elements above which contiguous work is split across the common ForkJoin pool. */
    static final long PARALLEL_THRESHOLD = 1L << 22;
    private static final int TILE = 64;

    /** Runs {@code body(from, to)} over [0, n) in chunks, in parallel when n is large. */
    static void chunked(long n, ChunkBody body) {
        int threads = Runtime.getRuntime().availableProcessors();
        if (n < PARALLEL_THRESHOLD || threads < 2) {
            body.run(0, n);
            return;
        }
        int chunks = (int) Math.min(threads * 4L, n / 65536);
        long per = (n + chunks - 1) / chunks;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            long from = c * per;
            long to = Math.min(n, from + per);
            if (from < to) {
                body.run(from, to);
            }
        });
    }

    /** Runs {@code body} over [0, count), split into about 4 chunks per core when {@code parallel}. */
    static void split(long count, boolean parallel, ChunkBody body) {
        int threads = Runtime.getRuntime().availableProcessors();
        if (!parallel || threads < 2 || count < 2) {
            body.run(0, count);
            return;
        }
        int chunks = (int) Math.min(threads * 4L, count);
        long per = (count + chunks - 1) / chunks;
        IntStream.range(0, chunks).parallel().forEach(c -> {
            long from = c * per;
            long to = Math.min(count, from + per);
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
        MemorySegment s = src.buffer().segment();
        MemorySegment d = dst.buffer().segment();
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
                MemorySegment.copy(s, so, d, dof, n * st.byteSize());
                return;
            }
            if (contiguousConvert(s, so, st, d, dof, dt, n)) {
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
        NdIter.forEachRow(shape, new long[][] {src.stridesRef(), dst.stridesRef()},
                new long[] {src.byteOffset(), dst.byteOffset()}, (offs, cnt, inner) -> {
                    long so = offs[0], dof = offs[1];
                    long ss = inner[0], ds = inner[1];
                    if (st == dt) {
                        if (ss == item && ds == item) {
                            MemorySegment.copy(s, so, d, dof, cnt * item);
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
        if (rows * cols >= PARALLEL_THRESHOLD && Runtime.getRuntime().availableProcessors() > 1) {
            IntStream.range(0, (int) rowTiles).parallel().forEach(rt -> body.run(rt, rt + 1));
        } else {
            body.run(0, rowTiles);
        }
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

    /** Vectorisable contiguous conversions for common pairs; false if the pair has no fast path. */
    private static boolean contiguousConvert(MemorySegment s, long so, DType st, MemorySegment d, long dof,
            DType dt, long n) {
        MemorySegment src = s.asSlice(so, n * st.byteSize());
        MemorySegment dst = d.asSlice(dof, n * dt.byteSize());
        if (st == DType.FLOAT32 && dt == DType.FLOAT16) {
            chunked(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    dst.setAtIndex(I16, i, Float.floatToFloat16(src.getAtIndex(F32, i)));
                }
            });
        } else if (st == DType.FLOAT16 && dt == DType.FLOAT32) {
            chunked(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    dst.setAtIndex(F32, i, Float.float16ToFloat(src.getAtIndex(I16, i)));
                }
            });
        } else if (st == DType.FLOAT32 && dt == DType.BFLOAT16) {
            chunked(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    dst.setAtIndex(I16, i, Elements.toBf16(src.getAtIndex(F32, i)));
                }
            });
        } else if (st == DType.BFLOAT16 && dt == DType.FLOAT32) {
            chunked(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    dst.setAtIndex(I32, i, (src.getAtIndex(I16, i) & 0xFFFF) << 16);
                }
            });
        } else if (st == DType.FLOAT32 && dt == DType.FLOAT64) {
            chunked(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    dst.setAtIndex(F64, i, src.getAtIndex(F32, i));
                }
            });
        } else if (st == DType.FLOAT64 && dt == DType.FLOAT32) {
            chunked(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    dst.setAtIndex(F32, i, (float) src.getAtIndex(F64, i));
                }
            });
        } else if (st == DType.INT32 && dt == DType.FLOAT32) {
            chunked(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    dst.setAtIndex(F32, i, (float) src.getAtIndex(I32, i));
                }
            });
        } else if (st == DType.UINT8 && dt == DType.FLOAT32) {
            chunked(n, (from, to) -> {
                for (long i = from; i < to; i++) {
                    dst.setAtIndex(F32, i, (float) (src.getAtIndex(I8, i) & 0xFF));
                }
            });
        } else {
            return false;
        }
        return true;
    }
}
