package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.tensorbridge.testkit.Python;

/**
 * Batches many cross-checks against real PyTorch (the release of the libtorch under test, see
 * {@link Python#torch}) into ONE Python launch.
 * Inputs are made in Java, their exact values travel to Python as literals, PyTorch evaluates an
 * expression per case and prints dtype, shape, strides, storage offset, contiguity and values; the tests
 * then compare what tensorbridge computed. No expected number is typed in by hand.
 */
final class TorchOracle {
    private static final String PRELUDE = """
            import sys, torch
            nan = float('nan'); inf = float('inf')
            def mk(vals, dtype, shape, rg=False):
                t = torch.tensor(vals, dtype=torch.float64).to(getattr(torch, dtype)).reshape(shape)
                if rg:
                    t.requires_grad_(True)
                return t
            def seeded(s, f):
                torch.manual_seed(s)
                return f()
            def emit(name, v):
                if isinstance(v, torch.Tensor):
                    vals = ' '.join(repr(float(x)) for x in v.detach().to(torch.float64).reshape(-1).tolist())
                    print('\\t'.join([name, 'T', str(v.dtype).replace('torch.', ''),
                                     ','.join(str(d) for d in v.shape), ','.join(str(s) for s in v.stride()),
                                     str(v.storage_offset()), str(int(v.is_contiguous())), str(int(v.requires_grad)),
                                     vals]))
                elif isinstance(v, (tuple, list)):
                    print(name + '\\tL\\t' + str(len(v)))
                    for i, e in enumerate(v):
                        emit(name + '#' + str(i), e)
                elif isinstance(v, str):
                    print(name + '\\tX\\t' + v.encode('unicode_escape').decode())
                elif v is None:
                    print(name + '\\tN')
                else:
                    print(name + '\\tS\\t' + type(v).__name__ + '\\t' + repr(float(v)))
            """;

    private final StringBuilder script = new StringBuilder(PRELUDE);
    private final List<String> expected = new ArrayList<>();

    /** Defines the Python variable {@code name} as a copy of {@code t} (same dtype, shape and values). */
    TorchOracle input(String name, Tensor t) {
        return input(name, t, false);
    }

    TorchOracle input(String name, Tensor t, boolean requiresGrad) {
        StringBuilder values = new StringBuilder("[");
        for (double v : t.toDoubleArray()) {
            values.append(literal(v)).append(',');
        }
        values.append(']');
        script.append(name).append(" = mk(").append(values).append(", '").append(t.dtype().torchName()).append("', (");
        for (long d : t.shape()) {
            script.append(d).append(',');
        }
        script.append("), ").append(requiresGrad ? "True" : "False").append(")\n");
        return this;
    }

    /** Raw Python statements (e.g. a backward pass), run in order with the expectations. */
    TorchOracle exec(String statements) {
        script.append(statements.strip()).append('\n');
        return this;
    }

    /** Records what PyTorch gives for {@code pythonExpr} under {@code name}. */
    TorchOracle expect(String name, String pythonExpr) {
        if (expected.contains(name)) {
            throw new IllegalArgumentException("duplicate case " + name);
        }
        expected.add(name);
        script.append("emit(").append(pyString(name)).append(", ").append(pythonExpr).append(")\n");
        return this;
    }

    /** Runs PyTorch once and parses everything it printed. */
    Results run() {
        // The oracle is the PyTorch of the libtorch under test; without one the cases skip, saying why.
        String out = Python.torch(Torch.version()).orElseGet(() -> org.junit.jupiter.api.Assumptions.abort(Python.noTorchReason(Torch.version()))).run(script.toString());
        Map<String, Expected> results = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            Expected e = switch (f[1]) {
                case "T" -> new Expected(f[0], 'T', f[2], longs(f[3]), longs(f[4]), Long.parseLong(f[5]),
                        f[6].equals("1"), f[7].equals("1"), Python.parseDoubles(f[8]), 0, null);
                case "L" -> new Expected(f[0], 'L', null, null, null, 0, false, false, null, Integer.parseInt(f[2]), null);
                case "X" -> new Expected(f[0], 'X', null, null, null, 0, false, false, null, 0, f[2]);
                case "N" -> new Expected(f[0], 'N', null, null, null, 0, false, false, null, 0, null);
                case "S" -> new Expected(f[0], 'S', null, null, null, 0, false, false, Python.parseDoubles(f[3]), 0, f[2]);
                default -> throw new AssertionError("unparseable line from Python: " + line);
            };
            results.put(f[0], e);
        }
        for (String name : expected) {
            if (!results.containsKey(name)) {
                throw new AssertionError("PyTorch printed nothing for case " + name + "\n" + out);
            }
        }
        return new Results(results);
    }

    private static long[] longs(String csv) {
        return csv.isEmpty() ? new long[0] : Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }

    private static String literal(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return Double.toString(v);
    }

    private static String pyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** One value PyTorch produced. kind: T tensor, L list/tuple (elements under name#i), N None, S scalar. */
    record Expected(String name, char kind, String dtype, long[] shape, long[] strides, long storageOffset,
                    boolean contiguous, boolean requiresGrad, double[] values, int count, String scalarType) {
        /** A string PyTorch printed (kind X), unescaped. */
        String text() {
            if (kind != 'X') {
                throw new AssertionError(name + " is not a string in PyTorch but " + kind);
            }
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < scalarType.length(); i++) {
                char c = scalarType.charAt(i);
                if (c == '\\' && i + 1 < scalarType.length()) {
                    char next = scalarType.charAt(++i);
                    out.append(next == 'n' ? '\n' : next == 't' ? '\t' : next);
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        double scalar() {
            if (kind != 'S') {
                throw new AssertionError(name + " is not a scalar in PyTorch but " + kind);
            }
            return values[0];
        }
    }

    record Results(Map<String, Expected> map) {
        Expected get(String name) {
            Expected e = map.get(name);
            assertNotNull(e, "no PyTorch result named " + name);
            return e;
        }

        /** dtype, shape and values within tolerance (NaN matches NaN). */
        void assertClose(String name, Tensor actual, double rtol, double atol) {
            Expected e = get(name);
            if (e.kind() != 'T') {
                fail(name + ": PyTorch returned kind " + e.kind() + ", not a tensor");
            }
            assertEquals(e.dtype(), actual.dtype().torchName(), name + ": dtype");
            assertArrayEquals(e.shape(), actual.shape(), name + ": shape " + Arrays.toString(actual.shape())
                    + " vs PyTorch " + Arrays.toString(e.shape()));
            assertValues(name, e.values(), actual.toDoubleArray(), rtol, atol);
        }

        /** Float32-level tolerance. */
        void assertClose(String name, Tensor actual) {
            assertClose(name, actual, 1e-5, 1e-6);
        }

        void assertExact(String name, Tensor actual) {
            assertClose(name, actual, 0, 0);
        }

        /** Everything: dtype, shape, values exactly, strides, storage offset, contiguity, requires_grad. */
        void assertSameLayout(String name, Tensor actual) {
            Expected e = get(name);
            assertExact(name, actual);
            assertArrayEquals(e.strides(), actual.strides(), name + ": strides " + Arrays.toString(actual.strides())
                    + " vs PyTorch " + Arrays.toString(e.strides()));
            assertEquals(e.storageOffset(), actual.storageOffset(), name + ": storage offset");
            assertEquals(e.contiguous(), actual.isContiguous(), name + ": is_contiguous");
            assertEquals(e.requiresGrad(), actual.requiresGrad(), name + ": requires_grad");
        }

        /**
         * Compares any Java result with PyTorch's: a Tensor, Tensor.ValuesIndices or List of tensors
         * (PyTorch's tuple/list, element i under name#i), a Boolean or a Number; then closes the tensors.
         */
        void check(String name, Object actual, double rtol, double atol) {
            try {
                switch (actual) {
                    case Tensor t -> assertClose(name, t, rtol, atol);
                    case Tensor.ValuesIndices vi -> {
                        assertEquals(2, get(name).count(), name + ": PyTorch returned " + get(name).count() + " values");
                        assertClose(name + "#0", vi.values(), rtol, atol);
                        assertClose(name + "#1", vi.indices(), 0, 0);
                    }
                    case List<?> list -> {
                        assertEquals(get(name).count(), list.size(), name + ": number of results");
                        for (int i = 0; i < list.size(); i++) {
                            check(name + "#" + i, list.get(i), rtol, atol);
                        }
                    }
                    case Boolean b -> assertEquals(get(name).scalar() != 0, b, name);
                    case Number n -> assertScalar(name, n.doubleValue(), atol + rtol * Math.abs(get(name).scalar()));
                    default -> fail(name + ": cannot compare a " + actual.getClass());
                }
            } finally {
                closeAll(actual);
            }
        }

        /** Like {@link #check} but exact, and also strides, storage offset, contiguity and requires_grad. */
        void checkLayout(String name, Object actual) {
            try {
                switch (actual) {
                    case Tensor t -> assertSameLayout(name, t);
                    case List<?> list -> {
                        assertEquals(get(name).count(), list.size(), name + ": number of results");
                        for (int i = 0; i < list.size(); i++) {
                            checkLayout(name + "#" + i, list.get(i));
                        }
                    }
                    default -> fail(name + ": cannot compare the layout of a " + actual.getClass());
                }
            } finally {
                closeAll(actual);
            }
        }

        /** A string PyTorch printed (e.g. a schema). */
        String text(String name) {
            Expected e = get(name);
            if (e.kind() != 'X') {
                fail(name + " is not a string in PyTorch but " + e.kind());
            }
            return e.scalarType();
        }

        void assertScalar(String name, double actual, double tol) {
            double expected = get(name).scalar();
            assertEquals(expected, actual, tol, name);
        }
    }

    static void closeAll(Object value) {
        switch (value) {
            case AutoCloseable c -> {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            case List<?> list -> list.forEach(TorchOracle::closeAll);
            case null, default -> {
            }
        }
    }

    static void assertValues(String name, double[] expected, double[] actual, double rtol, double atol) {
        assertEquals(expected.length, actual.length, name + ": number of values");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(a)
                    : Double.isInfinite(e) ? e == a
                    : Math.abs(a - e) <= atol + rtol * Math.abs(e);
            if (!ok) {
                fail(name + ": value " + i + " is " + a + ", PyTorch says " + e + " (rtol " + rtol + ", atol " + atol
                        + ")\n  ours:    " + Arrays.toString(actual) + "\n  PyTorch: " + Arrays.toString(expected));
            }
        }
    }

    // ------------------------------------------------------------------ building inputs in Java

    /** A tensor holding {@code values} (row-major) with {@code shape}, built only through the public API. */
    static Tensor of(DType dtype, long[] shape, double... values) {
        TensorOptions f64 = TensorOptions.of(DType.FLOAT64);
        List<Tensor> parts = new ArrayList<>(values.length);
        try {
            for (double v : values) {
                parts.add(Tensor.full(f64, v));
            }
            try (Tensor flat = parts.isEmpty() ? Tensor.zeros(f64, 0) : Tensor.stack(parts, 0);
                 Tensor typed = flat.to(dtype)) {
                return typed.reshape(shape);
            }
        } finally {
            parts.forEach(Tensor::close);
        }
    }

    /** Deterministic pseudo-random values from a seeded java.util.Random, rounded to float32. */
    static Tensor random(long seed, DType dtype, long... shape) {
        Random random = new Random(seed);
        int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian());
        }
        return of(dtype, shape, values);
    }

    /** Deterministic integers in [lo, hi) from a seeded java.util.Random. */
    static Tensor randomInts(long seed, long lo, long hi, DType dtype, long... shape) {
        Random random = new Random(seed);
        int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = lo + random.nextLong(hi - lo);
        }
        return of(dtype, shape, values);
    }

    static long[] shape(long... dims) {
        return dims;
    }

    // ------------------------------------------------------------------ table-driven cases

    /** A case: PyTorch's expression and the Java computation that must agree with it. */
    record Case(String name, String py, Supplier<Object> java, double rtol, double atol) {
    }

    /** A float32-tolerance case. */
    static Case c(String name, String py, Supplier<Object> java) {
        return new Case(name, py, java, 1e-5, 1e-6);
    }

    static Case exact(String name, String py, Supplier<Object> java) {
        return new Case(name, py, java, 0, 0);
    }

    static Case tol(String name, String py, double rtol, double atol, Supplier<Object> java) {
        return new Case(name, py, java, rtol, atol);
    }

    TorchOracle expect(List<Case> cases) {
        cases.forEach(c -> expect(c.name(), c.py()));
        return this;
    }

    /** One dynamic test per case, comparing strides, storage offset and contiguity too (exact values). */
    static Stream<DynamicTest> layoutTests(Results results, List<Case> cases) {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name() + ": " + c.py(),
                () -> results.checkLayout(c.name(), c.java().get())));
    }

    /** One dynamic test per case. */
    static Stream<DynamicTest> tests(Results results, List<Case> cases) {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name() + ": " + c.py(),
                () -> results.check(c.name(), c.java().get(), c.rtol(), c.atol())));
    }
}
