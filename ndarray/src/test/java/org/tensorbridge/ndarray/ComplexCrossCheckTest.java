package org.tensorbridge.ndarray;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.DType;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.testkit.ScopePerTest;

/**
 * Complex arithmetic, equality, negation, magnitude, sums and means against NumPy's, computed by NumPy in the
 * same run: contiguous, broadcast, transposed and strided operands, mixed with real dtypes and Python scalars,
 * and the divisions whose zeros, infinities and NaNs test NumPy's algorithm.
 */
@ExtendWith(ScopePerTest.class)
class ComplexCrossCheckTest {
    @TempDir
    Path dir;
    private int n;

    private static final String CMP = """
            def ccmp(ours, theirs, tol):
                theirs = np.asarray(theirs)
                if ours.dtype != theirs.dtype:
                    return f'dtype {ours.dtype} but numpy {theirs.dtype}'
                if ours.shape != theirs.shape:
                    return f'shape {ours.shape} but numpy {theirs.shape}'
                if ours.dtype.kind == 'b':
                    bad = ours != theirs
                else:
                    o = ours.astype(np.complex128); t = theirs.astype(np.complex128)
                    scale = np.maximum(np.abs(t), 1e-30)
                    def close(x, y):
                        with np.errstate(invalid='ignore'):
                            return (x == y) | (np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= tol * scale)
                    bad = ~(close(o.real, t.real) & close(o.imag, t.imag))
                if bad.any():
                    i = tuple(np.argwhere(bad)[0])
                    return f'{int(bad.sum())} mismatches, first at {i}: ours {ours[i]!r} numpy {theirs[i]!r}'
                return 'ok'
            np.seterr(all='ignore')
            """;

    private void check(NumpyCheck np, String name, String expr, NDArray ours, double tol) {
        String v = "r" + (n++);
        np.input(v, ours);
        np.str(name, "ccmp(" + v + ", " + expr + ", " + tol + ")", "ok");
    }

    /** A complex array of {@code t} from NumPy-visible random parts. */
    private NDArray complex(NumpyCheck np, NDRandom rng, DType t, String name, long... shape) {
        NDArray re = rng.uniform(-3, 3, shape);
        NDArray im = rng.uniform(-3, 3, shape);
        NDArray out = NDArray.zeros(t, shape);
        NdIndexWalk.each(shape, idx -> out.setComplex(re.getDouble(idx), im.getDouble(idx), idx));
        np.input(name + "_re", re).input(name + "_im", im);
        np.py(name + " = (" + name + "_re + 1j * " + name + "_im).astype(np." + t.numpyName() + ")");
        return out;
    }

    /** Visits every index of {@code shape} in C order. */
    private static final class NdIndexWalk {
        static void each(long[] shape, java.util.function.Consumer<long[]> body) {
            long[] idx = new long[shape.length];
            for (long k = 0, total = Shapes.size(shape); k < total; k++) {
                body.accept(idx.clone());
                for (int ax = shape.length - 1; ax >= 0 && ++idx[ax] == shape[ax]; ax--) {
                    idx[ax] = 0;
                }
            }
        }
    }

    @Test
    void arithmeticEqualityAndReductionsMatchNumpy() {
        NumpyCheck np = new NumpyCheck(dir);
        np.py(CMP);
        NDRandom rng = new NDRandom(21);
        for (DType t : new DType[] {DType.COMPLEX64, DType.COMPLEX128}) {
            String p = t.numpyName();
            double tol = t == DType.COMPLEX64 ? 1e-6 : 1e-14;
            NDArray x = complex(np, rng, t, p + "x", 37, 53);
            NDArray y = complex(np, rng, t, p + "y", 37, 53);
            NDArray row = complex(np, rng, t, p + "row", 53);
            NDArray xt = complex(np, rng, t, p + "xtb", 53, 37).transpose();
            np.py(p + "xt = " + p + "xtb.T");
            NDArray x2 = complex(np, rng, t, p + "x2b", 37, 106).slice(1, 0, 106, 2);
            np.py(p + "x2 = " + p + "x2b[:, ::2]");
            NDArray reals = rng.uniform(-3, 3, 37, 53).astype(DType.FLOAT32);
            NDArray ints = rng.uniform(-3, 3, 53).astype(DType.INT32);
            np.input(p + "f", reals).input(p + "i", ints);
            String[][] pairs = {{"x", "y"}, {"x", "row"}, {"xt", "y"}, {"x2", "xt"}, {"x", "f"}, {"i", "x"}};
            for (String[] pair : pairs) {
                NDArray a = switch (pair[0]) {
                    case "x" -> x;
                    case "xt" -> xt;
                    case "x2" -> x2;
                    default -> ints;
                };
                NDArray b = switch (pair[1]) {
                    case "x" -> x;
                    case "y" -> y;
                    case "row" -> row;
                    case "xt" -> xt;
                    default -> reals;
                };
                String pa = p + pair[0], pb = p + pair[1], cell = p + " " + pair[0] + " op " + pair[1] + " ";
                check(np, cell + "+", pa + " + " + pb, a.add(b), tol);
                check(np, cell + "-", pa + " - " + pb, a.sub(b), tol);
                check(np, cell + "*", pa + " * " + pb, a.mul(b), tol);
                check(np, cell + "/", pa + " / " + pb, a.div(b), tol);
                check(np, cell + "==", pa + " == " + pb, a.eq(b), 0);
                check(np, cell + "!=", pa + " != " + pb, a.ne(b), 0);
            }
            check(np, p + " x == x", p + "x == " + p + "x", x.eq(x), 0);
            check(np, p + " x + 2.5", p + "x + 2.5", x.add(2.5), tol);
            check(np, p + " 2.5 - x", "2.5 - " + p + "x", x.rsub(2.5), tol);
            check(np, p + " x * 3", p + "x * 3", x.mul(3L), tol);
            check(np, p + " x / 0.5", p + "x / 0.5", x.div(0.5), tol);
            check(np, p + " -x2", "-" + p + "x2", x2.neg(), 0);
            check(np, p + " abs xt", "np.abs(" + p + "xt)", xt.abs(), tol);
            check(np, p + " sum", p + "x.sum()", x.sum(), tol * 10);
            check(np, p + " sum(0) transposed", p + "xt.sum(0)", xt.sum(0), tol * 10);
            check(np, p + " sum(1) strided", p + "x2.sum(1)", x2.sum(1), tol * 10);
            check(np, p + " mean(1, keepdims)", p + "x.mean(1, keepdims=True)", x.mean(new int[] {1}, true), tol * 10);
        }
        np.run(Python.numpy2());
        assertTrue(n > 90, "cells checked: " + n);
    }

    @Test
    void divisionByZerosInfinitiesAndNansFollowsNumpy() {
        NumpyCheck np = new NumpyCheck(dir);
        np.py(CMP);
        double[] specials = {0.0, -0.0, 1.0, -2.5, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1e300,
            1e-300};
        int k = specials.length;
        NDArray a = NDArray.zeros(DType.COMPLEX128, k * k, k * k);
        NDArray b = NDArray.zeros(DType.COMPLEX128, k * k, k * k);
        for (int i = 0; i < k * k; i++) {
            for (int j = 0; j < k * k; j++) {
                a.setComplex(specials[i / k], specials[i % k], i, j);
                b.setComplex(specials[j / k], specials[j % k], i, j);
            }
        }
        np.input("a", a).input("b", b);
        check(np, "a / b", "a / b", a.div(b), 1e-15);
        // products of infinities and zeros; not of huge finite parts, whose overflow depends on whether NumPy's
        // build fuses the multiply-adds
        long small = 7;
        NDArray as = a.slice(0, 0, small * k, 1).slice(1, 0, small * k, 1);
        NDArray bs = b.slice(0, 0, small * k, 1).slice(1, 0, small * k, 1);
        check(np, "a * b", "a[:" + small * k + ", :" + small * k + "] * b[:" + small * k + ", :" + small * k + "]",
                as.mul(bs), 1e-15);
        np.run(Python.numpy2());
    }

    @Test
    void whatComplexArraysCannotDoIsRefusedWithTheFix() {
        try (NDArray z = NDArray.zeros(DType.COMPLEX64, 3)) {
            IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> z.lt(z));
            assertTrue(order.getMessage().contains("== and != only") && order.getMessage().contains("abs()"),
                    order.getMessage());
            assertThrows(IllegalArgumentException.class, () -> z.maximum(z));
            assertThrows(IllegalArgumentException.class, () -> z.exp());
        }
    }
}
