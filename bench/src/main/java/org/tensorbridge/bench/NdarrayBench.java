package org.tensorbridge.bench;

import org.tensorbridge.core.DType;

import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDRandom;

/**
 * ndarray benchmarks; bench/ndarray_bench.py times the same cases in NumPy under the same RESULT names.
 * Usage: {@code NdarrayBench [scale]} where scale (default 1.0) multiplies the element counts, e.g. 0.05
 * for a quick run. The mmap_open_1GB case belongs to the I/O benchmarks.
 */
public final class NdarrayBench {
    private NdarrayBench() {
    }

    public static void main(String[] args) throws Exception {
        double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long batch = Math.max(1, Math.round(32 * scale));
        long side = Math.max(64, Math.round(4096 * Math.sqrt(scale)));
        long n16 = Math.max(1024, Math.round(25_000_000 * scale));
        System.out.printf("# java %s, cores %d, scale %s: normalize (%d,3,1024,1024) f32, astype %d f32->f16,"
                + " transpose copy and reductions %dx%d f32%n", Runtime.version(), Runtime.getRuntime().availableProcessors(), scale,
                batch, n16, side, side);
        NDRandom rng = new NDRandom(1);
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        try (NDArray img = rng.random(DType.FLOAT32, batch, 3, 1024, 1024)) {
            double t = Timer.medianSeconds(rounds, 1, () -> {
                try (NDArray r = img.normalize(mean, std, 1)) {
                    sink(r);
                }
            });
            Timer.report("normalize_nchw_f32", t);
        }
        try (NDArray x = rng.random(DType.FLOAT32, n16)) {
            double t = Timer.medianSeconds(rounds, 1, () -> {
                try (NDArray r = x.astype(DType.FLOAT16)) {
                    sink(r);
                }
            });
            Timer.report("astype_f32_to_f16", t);
        }
        try (NDArray m = rng.random(DType.FLOAT32, side, side)) {
            NDArray tv = m.transpose();
            double t = Timer.medianSeconds(rounds, 1, () -> {
                try (NDArray r = tv.copy()) {
                    sink(r);
                }
            });
            Timer.report("transpose_copy_f32", t);
            // reductions without a sum: the preprocessing's min/max scaling and a classifier's argmax
            reduction("max_rows_f32", rounds, () -> m.max(1));
            reduction("max_columns_f32", rounds, () -> m.max(0));
            reduction("argmax_rows_f32", rounds, () -> m.argmax(1));
            reduction("argmin_all_f32", rounds, m::argmin);
        }
    }

    private static void reduction(String name, int rounds, java.util.function.Supplier<NDArray> op) throws Exception {
        Timer.report(name, Timer.medianSeconds(rounds, 1, () -> {
            try (NDArray r = op.get()) {
                sink(r);
            }
        }));
    }

    private static volatile double sinkValue;

    private static void sink(NDArray r) {
        sinkValue = r.getDouble(new long[r.ndim()]);
    }
}
