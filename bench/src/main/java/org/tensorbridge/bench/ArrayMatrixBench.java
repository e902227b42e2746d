package org.tensorbridge.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.tensorbridge.core.DType;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDArrays;
import org.tensorbridge.ndarray.NDRandom;

/**
 * The operation x layout x dtype x size matrix of bench/ndarray.sh; bench/ndarray_matrix.py times the same
 * cells in NumPy under the same names ({@code op/layout/dtype/size}). Usage:
 * {@code ArrayMatrixBench [sizes=1M,16M] [filter regex] [passes=3]}.
 *
 * <p>The matrix is timed in {@code passes} passes over all cells, {@value #ROUNDS} / {@code passes} timed rounds
 * per cell in each (rounded up: 9 in all with 1 or 3 passes); a cell's result is the median of all its rounds. On a shared machine a
 * neighbour's load comes and goes over seconds, so rounds of one cell minutes apart are hit independently,
 * where rounds taken back to back would all be hit together (Google Benchmark's random interleaving does the
 * same for its repetitions). {@code PASS} lines give each pass's median, so one slow window stays visible;
 * {@code ROUND} lines give every round, which bench/matrix.py pairs with NumPy's round of the same step;
 * {@code PLACE} lines, how far apart the machine had put two threads just then ({@link ThreadDistance}).
 *
 * <p>Layouts of a (R, C) operand x: contiguous; scalar (x op a Python scalar); broadcast row (y of shape
 * (C,)); broadcast column (y of shape (R, 1)); transposed (x is the transpose of a C-ordered (C, R) array);
 * every second element (x = base[:, ::2] of a (R, 2C) array, y likewise).
 */
public final class ArrayMatrixBench {
    private ArrayMatrixBench() {
    }

    static final String[] BINARY = {"add", "mul", "div", "compare", "where"};
    static final String[] LAYOUTS = {"contiguous", "scalar", "bcast_row", "bcast_col", "transposed", "strided"};
    static final String[] UNARY_LAYOUTS = {"contiguous", "transposed", "strided"};
    static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.UINT8};

    public static void main(String[] args) throws Exception {
        String sizes = args.length > 0 ? args[0] : "1M,16M";
        Pattern filter = Pattern.compile(args.length > 1 ? args[1] : ".*");
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        if (passes < 1 || passes > ROUNDS) {
            throw new IllegalArgumentException("passes must be 1.." + ROUNDS + ", not " + passes);
        }
        roundsPerPass = (ROUNDS + passes - 1) / passes;
        System.out.printf("# java %s, cores %d, loop threads %d%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), org.tensorbridge.core.Parallelism.threads());
        // untimed passes first, so that no cell is timed while the JIT compiles its code (the compiler threads
        // take a core from the loop threads): many calls at 64K elements, which take every operation's code to
        // C2, then a few at 1M, where loops split across the loop threads
        warmCalls = 1000;
        for (DType t : DTYPES) {
            runDtype(t, 256, "warm", filter);
        }
        warmCalls = 30;
        for (DType t : DTYPES) {
            runDtype(t, 1024, "warm", filter);
        }
        warmCalls = 0;
        awaitQuietJit();
        for (pass = 1; pass <= passes; pass++) {
            for (String sz : sizes.split(",")) {
                long n = sz.equals("16M") ? 1L << 24 : 1L << 20;
                long side = Math.round(Math.sqrt(n));
                for (DType t : DTYPES) {
                    runDtype(t, side, sz, filter);
                }
            }
        }
        for (Cell cell : CELLS.values()) {
            cell.report();
        }
    }

    /** Timed rounds per cell over all passes (more where {@code passes} does not divide it). */
    static final int ROUNDS = 9;
    private static int roundsPerPass;
    /** The pass being timed, from 1. */
    private static int pass;
    private static final Map<String, Cell> CELLS = new LinkedHashMap<>();

    /** One cell's rounds over all passes. */
    private static final class Cell {
        final String name;
        /** Calls per round, fixed in the first pass so that every round times the same work. */
        int reps;
        double warmSeconds;
        long jitMillis;
        final List<Double> wall = new ArrayList<>();
        final List<Double> cpu = new ArrayList<>();

        Cell(String name) {
            this.name = name;
        }

        void report() {
            Timer.report(name, median(wall));
            System.out.printf("CPU %s %.6e%n", name, median(cpu));
            // compiler threads' time during the rounds: a cell timed while the JIT worked shares the cores with it
            System.out.printf("JIT %s %d ms (warm-up %.1f s)%n", name, jitMillis, warmSeconds);
            System.out.flush();
        }
    }

    private static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Calls per cell of an untimed pass; 0 when cells are timed. */
    private static int warmCalls;

    private static NDArray data(NDRandom rng, DType t, long... shape) {
        if (t == DType.FLOAT32 || t == DType.FLOAT64) {
            return rng.random(t, shape);
        }
        try (NDArray f = rng.uniform(1, t == DType.UINT8 ? 255 : 100, shape)) {
            return f.astype(t);
        }
    }

    private static void runDtype(DType t, long side, String sz, Pattern filter) throws Exception {
        String dt = t.numpyName();
        boolean isFloat = t == DType.FLOAT32 || t == DType.FLOAT64;
        NDRandom rng = new NDRandom(7);
        long r = side, c = side;
        List<NDArray> owned = new ArrayList<>();
        Function<NDArray, NDArray> keep = a -> {
            owned.add(a);
            return a;
        };
        try {
            NDArray x = keep.apply(data(rng, t, r, c));
            NDArray y = keep.apply(data(rng, t, r, c));
            NDArray xt = keep.apply(keep.apply(data(rng, t, c, r)).transpose());
            NDArray x2 = keep.apply(keep.apply(data(rng, t, r, 2 * c)).slice(1, 0, 2 * c, 2));
            NDArray y2 = keep.apply(keep.apply(data(rng, t, r, 2 * c)).slice(1, 0, 2 * c, 2));
            NDArray row = keep.apply(data(rng, t, c));
            NDArray col = keep.apply(data(rng, t, r, 1));
            NDArray cond = keep.apply(x.gt(isFloat ? 0.5 : 50.0));
            NDArray scalar0d = keep.apply(NDArray.scalar(t, isFloat ? 0.5 : 3));
            for (String op : BINARY) {
                for (String layout : LAYOUTS) {
                    String name = op + "/" + layout + "/" + dt + "/" + sz;
                    if (!filter.matcher(name.replace("/warm", "/1M")).find()) {
                        continue;
                    }
                    NDArray a = switch (layout) {
                        case "transposed" -> xt;
                        case "strided" -> x2;
                        default -> x;
                    };
                    NDArray b = switch (layout) {
                        case "bcast_row" -> row;
                        case "bcast_col" -> col;
                        case "strided" -> y2;
                        case "scalar" -> null;
                        default -> y;
                    };
                    Function<NDArray, NDArray> f = switch (op) {
                        case "add" -> b == null ? (isFloat ? q -> q.add(0.5) : q -> q.add(3L)) : q -> q.add(b);
                        case "mul" -> b == null ? (isFloat ? q -> q.mul(0.5) : q -> q.mul(3L)) : q -> q.mul(b);
                        case "div" -> b == null ? (isFloat ? q -> q.div(0.5) : q -> q.div(3L)) : q -> q.div(b);
                        case "compare" -> b == null ? (isFloat ? q -> q.gt(0.5) : q -> q.gt(3L)) : q -> q.gt(b);
                        default -> b == null ? q -> NDArrays.where(cond, q, scalar0d) : q -> NDArrays.where(cond, q, b);
                    };
                    time(name, () -> f.apply(a));
                }
            }
            for (String layout : UNARY_LAYOUTS) {
                NDArray a = switch (layout) {
                    case "transposed" -> xt;
                    case "strided" -> x2;
                    default -> x;
                };
                String suffix = "/" + layout + "/" + dt + "/" + sz;
                if (isFloat) {
                    timeIf(filter, "exp" + suffix, a::exp);
                }
                timeIf(filter, "sum_last" + suffix, () -> a.sum(-1));
                timeIf(filter, "sum_first" + suffix, () -> a.sum(0));
                timeIf(filter, "mean" + suffix, () -> a.mean());
                if (t == DType.FLOAT32) {
                    timeIf(filter, "astype_f16" + suffix, () -> a.astype(DType.FLOAT16));
                }
                if (t == DType.UINT8) {
                    timeIf(filter, "astype_f32" + suffix, () -> a.astype(DType.FLOAT32));
                }
                timeIf(filter, "copy" + suffix, a::copy);
            }
        } finally {
            owned.forEach(NDArray::close);
        }
    }

    private interface Op {
        NDArray apply();
    }

    private static void timeIf(Pattern filter, String name, Op op) throws Exception {
        if (filter.matcher(name.replace("/warm", "/1M")).find()) {
            time(name, op);
        }
    }

    /**
     * Times one cell in this pass: a warm-up (the first pass: at least 0.3 s, later ones 0.1 s, then on until no
     * compilation ended for 0.5 s, 3 s at most), then this pass's rounds of enough calls for ~20 ms each (in
     * lockstep with NumPy's rounds under bench/lockstep.py). Records each round's wall time and process CPU time
     * ({@code CPU}: all threads; about the wall time where a split loop ran on one thread, as when another
     * process took the other core) and the JIT's compile time during the rounds ({@code JIT}).
     */
    private static void time(String name, Op op) throws Exception {
        Timer.Action call = () -> {
            try (NDArray res = op.apply()) {
                sink = res.size();
            }
        };
        if (warmCalls > 0) {
            for (int i = 0; i < warmCalls; i++) {
                call.run();
            }
            return;
        }
        Cell cell = CELLS.computeIfAbsent(name, Cell::new);
        awaitTurn(name + "#p" + pass + ".warm");
        // the rounds time compiled code in its steady state, with both cores free of the JIT's work
        long minWarm = pass == 1 ? 300_000_000L : 100_000_000L;
        long t0 = System.nanoTime();
        long calls = 0;
        while (true) {
            call.run();
            calls++;
            long elapsed = System.nanoTime() - t0;
            if (calls >= 2 && elapsed >= minWarm && (JIT_WATCH.quietFor(QUIET_NANOS) || elapsed >= 3_000_000_000L)) {
                break;
            }
        }
        double warmSeconds = (System.nanoTime() - t0) / 1e9;
        if (cell.reps == 0) {
            cell.reps = (int) Math.max(1, Math.min(1000, 0.02 / (warmSeconds / calls)));
            cell.warmSeconds = warmSeconds;
        }
        int reps = cell.reps;
        double[] wall = new double[roundsPerPass];
        long jit0 = JIT.getTotalCompilationTime();
        for (int r = 0; r < roundsPerPass; r++) {
            awaitTurn(name + "#p" + pass + ".r" + r);
            long c0 = OS.getProcessCpuTime();
            long w0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                call.run();
            }
            wall[r] = (System.nanoTime() - w0) / 1e9 / reps;
            cell.wall.add(wall[r]);
            cell.cpu.add((OS.getProcessCpuTime() - c0) / 1e9 / reps);
            System.out.printf("ROUND %s %d.%d %.6e%n", name, pass, r, wall[r]);
            System.out.printf("PLACE %s %d.%d %d%n", name, pass, r, DISTANCE.roundTripNanos(21, 100));
        }
        cell.jitMillis += JIT.getTotalCompilationTime() - jit0;
        System.out.printf("PASS %s %d %.6e%n", name, pass, median(wall));
        System.out.flush();
    }

    /** Waits until no compilation ended for 0.5 s (10 s at most), after the untimed passes. */
    private static void awaitQuietJit() throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (!JIT_WATCH.quietFor(QUIET_NANOS) && System.nanoTime() < until) {
            Thread.sleep(50);
        }
    }

    /** How long no compilation may end before the JIT counts as quiet (one C2 compilation can take 0.2 s). */
    private static final long QUIET_NANOS = 500_000_000L;

    /**
     * When the JIT last finished a compilation, as seen by polling: its total compile time grows when one ends.
     */
    private static final class JitWatch {
        private long seen = JIT.getTotalCompilationTime();
        private long quietSince = System.nanoTime();

        /** Whether no compilation ended in the last {@code nanos} (checked at each call). */
        boolean quietFor(long nanos) {
            long now = System.nanoTime();
            long total = JIT.getTotalCompilationTime();
            if (total != seen) {
                seen = total;
                quietSince = now;
            }
            return now - quietSince >= nanos;
        }
    }

    /**
     * Under bench/lockstep.py, waits for this step's turn: the warm-up and each round alternate with NumPy's, so
     * both sides of a ratio see the same load of a shared machine, round by round.
     */
    private static void awaitTurn(String step) throws java.io.IOException {
        if (LOCKSTEP) {
            System.out.println("READY " + step);
            System.out.flush();
            if (STDIN.readLine() == null) {
                System.exit(0);
            }
        }
    }

    private static final java.lang.management.CompilationMXBean JIT =
            java.lang.management.ManagementFactory.getCompilationMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /**
     * Polled at every warm-up call, so that a later pass's warm-up ends at once when the JIT has been quiet
     * (declared after {@code JIT}, which it reads when created).
     */
    private static final JitWatch JIT_WATCH = new JitWatch();

    /**
     * Probed right after each round ({@code PLACE} lines: a cache line's round trip in ns): where the host had
     * put the two vCPUs, which bench/matrix.py sets beside the round's time; 21 batches of 100 trips take
     * under 1 ms.
     */
    private static final ThreadDistance DISTANCE = new ThreadDistance();

    private static volatile long sink;
    private static final boolean LOCKSTEP = Boolean.getBoolean("tb.lockstep");
    private static final java.io.BufferedReader STDIN = new java.io.BufferedReader(
            new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
}
