package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorbridge.testkit.Python;

/**
 * Batches many comparisons against real NumPy into one Python run: inputs travel as raw little-endian
 * files, NumPy evaluates an expression per case and prints its dtype, shape and values, and we compare
 * with what our arrays hold. Nothing expected is typed in by hand.
 */
final class NumpyCheck {
    private final Path dir;
    private final StringBuilder script = new StringBuilder("""
            import sys, numpy as np
            def off(v, base):
                return v.__array_interface__['data'][0] - base.__array_interface__['data'][0]
            def emit_array(name, a):
                a = np.asarray(a)
                if a.dtype.kind in 'iub':
                    vals = ' '.join(str(int(x)) for x in a.ravel())
                else:
                    vals = ' '.join(repr(float(x)) for x in a.astype(np.float64).ravel())
                print(name + '\\t' + a.dtype.name + '\\t' + ','.join(str(d) for d in a.shape) + '\\t' + vals)
            def emit_ints(name, xs):
                print(name + '\\tI\\t\\t' + ' '.join(str(int(x)) for x in xs))
            def emit_str(name, s):
                print(name + '\\tS\\t\\t' + str(s).encode('unicode_escape').decode())
            """);
    private final Map<String, Consumer<String[]>> checks = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private int inputs;

    NumpyCheck(Path dir) {
        this.dir = dir;
    }

    /** Defines a Python variable {@code name} holding a copy of {@code a} (bfloat16 travels as uint16). */
    NumpyCheck input(String name, NDArray a) {
        Path file = dir.resolve("in" + (inputs++) + ".bin");
        try (NDArray c = a.copy()) {
            byte[] bytes = c.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String dt = a.dtype() == DType.BFLOAT16 ? "uint16" : a.dtype().numpyName();
        script.append(name).append(" = np.fromfile(r'").append(file).append("', dtype=np.dtype('").append(dt)
                .append("').newbyteorder('<')).reshape(").append(tuple(a.shape())).append(")\n");
        return this;
    }

    static String tuple(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (long d : shape) {
            sb.append(d).append(',');
        }
        return sb.append(')').toString();
    }

    NumpyCheck py(String code) {
        script.append(code).append('\n');
        return this;
    }

    /** Compares dtype, shape and values of {@code actual} with NumPy's {@code expr} ({@code relTol} 0 = exact). */
    NumpyCheck array(String name, String expr, NDArray actual, double relTol) {
        String key = key(name);
        script.append("emit_array('").append(key).append("', ").append(expr).append(")\n");
        String dtype = actual.dtype().numpyName();
        long[] shape = actual.shape();
        boolean integral = actual.dtype() == DType.BOOL || actual.dtype().isInteger();
        double[] dv = integral ? null : actual.toDoubleArray();
        long[] lv = integral ? flatLongs(actual) : null;
        checks.put(key, parts -> {
            if (!parts[1].equals(dtype)) {
                failures.add(name + ": dtype " + dtype + " but NumPy has " + parts[1]);
            }
            String npShape = parts[2];
            String ours = String.join(",", Arrays.stream(shape).mapToObj(Long::toString).toList());
            if (!npShape.equals(ours)) {
                failures.add(name + ": shape (" + ours + ") but NumPy has (" + npShape + ")");
                return;
            }
            String[] vals = parts.length > 3 && !parts[3].isEmpty() ? parts[3].split(" ") : new String[0];
            int n = integral ? lv.length : dv.length;
            if (vals.length != n) {
                failures.add(name + ": " + n + " values but NumPy has " + vals.length);
                return;
            }
            for (int i = 0; i < n; i++) {
                if (integral) {
                    long e = new BigInteger(vals[i]).longValue();
                    if (e != lv[i]) {
                        failures.add(name + "[" + i + "]: " + lv[i] + " but NumPy has " + vals[i]);
                        return;
                    }
                } else {
                    double e = Python.parseDoubles(vals[i])[0];
                    double g = dv[i];
                    boolean ok = (Double.isNaN(e) && Double.isNaN(g)) || e == g
                            || Math.abs(e - g) <= relTol * Math.max(Math.abs(e), 1e-30);
                    if (!ok) {
                        failures.add(name + "[" + i + "]: " + g + " but NumPy has " + e + " (tol " + relTol + ")");
                        return;
                    }
                }
            }
        });
        return this;
    }

    /** Compares a list of integers (strides, flags, ...) with NumPy's {@code expr} (an iterable). */
    NumpyCheck ints(String name, String expr, long... actual) {
        String key = key(name);
        script.append("emit_ints('").append(key).append("', ").append(expr).append(")\n");
        checks.put(key, parts -> {
            String got = String.join(" ", Arrays.stream(actual).mapToObj(Long::toString).toList());
            String exp = parts.length > 3 ? parts[3] : "";
            if (!got.equals(exp)) {
                failures.add(name + ": [" + got + "] but NumPy has [" + exp + "]");
            }
        });
        return this;
    }

    NumpyCheck str(String name, String expr, String actual) {
        String key = key(name);
        script.append("emit_str('").append(key).append("', ").append(expr).append(")\n");
        checks.put(key, parts -> {
            String exp = (parts.length > 3 ? parts[3] : "").replace("\\n", "\n").replace("\\'", "'");
            if (!exp.equals(actual)) {
                failures.add(name + ":\n--- ours ---\n" + actual + "\n--- NumPy ---\n" + exp);
            }
        });
        return this;
    }

    private String key(String name) {
        return "c" + checks.size();
    }

    static long[] flatLongs(NDArray a) {
        long n = a.size();
        long[] out = new long[(int) n];
        long[] shape = a.shape();
        long[] idx = new long[shape.length];
        for (int i = 0; i < n; i++) {
            out[i] = a.getLong(idx);
            for (int k = shape.length - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return out;
    }

    /** Runs the batched script once and fails listing every mismatch. */
    void run(Python python) {
        String out = python.run(script.toString());
        int seen = 0;
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\t", -1);
            Consumer<String[]> c = checks.get(parts[0]);
            if (c != null) {
                c.accept(parts);
                seen++;
            }
        }
        if (seen != checks.size()) {
            failures.add("NumPy answered " + seen + " of " + checks.size() + " cases");
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " mismatches with NumPy:\n" + String.join("\n", failures));
        }
    }

    int cases() {
        return checks.size();
    }
}
