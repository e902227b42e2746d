package org.tensorbridge.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Tensor;

/**
 * One Python run of real PyTorch (Debian's python3-torch) per test class: Java tensors travel as exact
 * literals, the script computes the reference, {@code out(name, value)} prints it; nothing expected is typed
 * in by hand.
 */
final class PyRef {
    private static final String PRELUDE = """
            import sys, math, torch, collections
            import torch.nn as nn
            import torch.nn.functional as F
            torch.set_printoptions(precision=10)
            nan = float('nan'); inf = float('inf')
            def mk(vals, dtype, shape):
                return torch.tensor(vals, dtype=torch.float64).to(getattr(torch, dtype)).reshape(shape)
            def out(name, v):
                if isinstance(v, torch.Tensor):
                    v = v.detach().to(torch.float64).reshape(-1).tolist()
                elif not isinstance(v, (list, tuple)):
                    v = [v]
                print(name + '\\t' + ' '.join(repr(float(x)) for x in v))
            """;

    private final StringBuilder script = new StringBuilder(PRELUDE);

    /** A Python expression that rebuilds {@code t} exactly (dtype, shape, values). */
    static String literal(Tensor t) {
        StringBuilder sb = new StringBuilder("mk([");
        for (double v : t.toDoubleArray()) {
            sb.append(Double.isNaN(v) ? "nan" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : Double.toString(v)).append(',');
        }
        sb.append("], '").append(t.dtype().torchName()).append("', (");
        for (long d : t.shape()) {
            sb.append(d).append(',');
        }
        return sb.append("))").toString();
    }

    PyRef define(String name, Tensor t) {
        script.append(name).append(" = ").append(literal(t)).append('\n');
        return this;
    }

    PyRef exec(String code) {
        script.append(code.stripIndent().strip()).append('\n');
        return this;
    }

    String script() {
        return script.toString();
    }

    Map<String, double[]> run() {
        return run(Python.debian());
    }

    Map<String, double[]> run(Python python) {
        return parse(python.run(script.toString()));
    }

    static Map<String, double[]> parse(String stdout) {
        Map<String, double[]> result = new LinkedHashMap<>();
        for (String line : stdout.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                continue;
            }
            result.put(line.substring(0, tab), Python.parseDoubles(line.substring(tab + 1)));
        }
        return result;
    }

    static void assertClose(String what, double[] expected, double[] actual, double tol) {
        if (expected == null) {
            throw new AssertionError("PyTorch printed nothing for " + what);
        }
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": PyTorch has " + expected.length + " values, tensorbridge " + actual.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a) || e == a) {
                continue;
            }
            if (!(Math.abs(e - a) <= tol * Math.max(1.0, Math.abs(e)))) {
                throw new AssertionError(what + "[" + i + "]: PyTorch " + e + ", tensorbridge " + a + " (tolerance " + tol + ")");
            }
        }
    }

    /** The largest difference, scaled like {@link #assertClose}. */
    static double maxDiff(double[] expected, double[] actual) {
        double m = 0;
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i]) && Double.isNaN(actual[i])) {
                continue;
            }
            m = Math.max(m, Math.abs(expected[i] - actual[i]) / Math.max(1.0, Math.abs(expected[i])));
        }
        return m;
    }
}
