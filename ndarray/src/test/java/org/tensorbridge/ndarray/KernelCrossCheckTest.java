package org.tensorbridge.ndarray;

import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.testkit.ScopePerTest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.DType;
import org.tensorbridge.testkit.Python;

/**
 * Every cell of bench/ndarray.sh's matrix (operation x layout x dtype) against real NumPy 2 in the same run,
 * at a small odd shape and at a shape large enough for the chunked and parallel paths; mixed-dtype
 * operations (the buffered casts) for every pair of dtypes; a float32 sum of 10M elements within NumPy's
 * own error. Our results travel to Python as raw files and NumPy compares them with its own.
 */
@ExtendWith(ScopePerTest.class)
class KernelCrossCheckTest {
    @TempDir
    Path dir;

    private final List<NDArray> toClose = new ArrayList<>();

    private NDArray keep(NDArray a) {
        toClose.add(a);
        return a;
    }

    @AfterEach
    void closeAll() {
        toClose.forEach(NDArray::close);
    }

    /** Batches "ours vs NumPy's expression" comparisons; each answer is 'ok' or the first mismatch. */
    private static final class Cmp {
        final NumpyCheck np;
        int n;

        Cmp(Path dir) {
            np = new NumpyCheck(dir);
            np.py("""
                    def cmp(ours, theirs, tol):
                        theirs = np.asarray(theirs)
                        if ours.dtype != theirs.dtype:
                            return f'dtype {ours.dtype} but numpy {theirs.dtype}'
                        if ours.shape != theirs.shape:
                            return f'shape {ours.shape} but numpy {theirs.shape}'
                        if ours.dtype.kind in 'iub':
                            bad = ours != theirs
                        else:
                            o = ours.astype(np.float64); t = theirs.astype(np.float64)
                            with np.errstate(invalid='ignore'):
                                bad = ~((o == t) | (np.isnan(o) & np.isnan(t))
                                        | (np.abs(o - t) <= tol * np.maximum(np.abs(t), 1e-30)))
                        if bad.any():
                            i = tuple(np.argwhere(bad)[0])
                            return f'{int(bad.sum())} mismatches, first at {i}: ours {ours[i]!r} numpy {theirs[i]!r}'
                        return 'ok'
                    np.seterr(all='ignore')
                    """);
        }

        void check(String name, String expr, NDArray ours, double tol) {
            String v = "r" + (n++);
            np.input(v, ours);
            np.str(name, "cmp(" + v + ", " + expr + ", " + tol + ")", "ok");
        }
    }

    private static NDArray data(NDRandom rng, DType t, long... shape) {
        if (t == DType.FLOAT32 || t == DType.FLOAT64) {
            return rng.random(t, shape);
        }
        try (NDArray f = rng.uniform(1, t == DType.UINT8 ? 255 : 100, shape)) {
            return f.astype(t);
        }
    }

    private void matrixCells(Cmp c, long r, long cols, String tag) {
        NDRandom rng = new NDRandom(3);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.UINT8}) {
            boolean isFloat = t == DType.FLOAT32 || t == DType.FLOAT64;
            String p = tag + t.numpyName() + "_";
            NDArray x = keep(data(rng, t, r, cols));
            NDArray y = keep(data(rng, t, r, cols));
            NDArray xtb = keep(data(rng, t, cols, r));
            NDArray x2b = keep(data(rng, t, r, 2 * cols));
            NDArray y2b = keep(data(rng, t, r, 2 * cols));
            NDArray row = keep(data(rng, t, cols));
            NDArray col = keep(data(rng, t, r, 1));
            c.np.input(p + "x", x).input(p + "y", y).input(p + "xtb", xtb).input(p + "x2b", x2b).input(p + "y2b", y2b)
                    .input(p + "row", row).input(p + "col", col);
            c.np.py(p + "xt = " + p + "xtb.T; " + p + "x2 = " + p + "x2b[:, ::2]; " + p + "y2 = " + p + "y2b[:, ::2]");
            NDArray xt = xtb.transpose();
            NDArray x2 = x2b.slice(1, 0, 2 * cols, 2);
            NDArray y2 = y2b.slice(1, 0, 2 * cols, 2);
            NDArray cond = keep(x.gt(isFloat ? 0.5 : 50.0));
            c.check(p + "cond", p + "x > " + (isFloat ? "0.5" : "50.0"), cond, 0);
            c.np.py(p + "cond = " + p + "x > " + (isFloat ? "0.5" : "50.0"));
            String s = isFloat ? "0.5" : "3";
            NDArray s0d = keep(NDArray.scalar(t, isFloat ? 0.5 : 3));
            String[][] layouts = {{"contiguous", "x", "y"}, {"scalar", "x", null}, {"bcast_row", "x", "row"},
                {"bcast_col", "x", "col"}, {"transposed", "xt", "y"}, {"strided", "x2", "y2"}};
            for (String[] l : layouts) {
                NDArray a = switch (l[1]) {
                    case "xt" -> xt;
                    case "x2" -> x2;
                    default -> x;
                };
                NDArray b = l[2] == null ? null : switch (l[2]) {
                    case "row" -> row;
                    case "col" -> col;
                    case "y2" -> y2;
                    default -> y;
                };
                String pa = p + l[1];
                String pb = l[2] == null ? s : p + l[2];
                String cell = p + l[0] + " ";
                if (b == null) {
                    c.check(cell + "add", pa + " + " + pb, keep(isFloat ? a.add(0.5) : a.add(3L)), 0);
                    c.check(cell + "mul", pa + " * " + pb, keep(isFloat ? a.mul(0.5) : a.mul(3L)), 0);
                    c.check(cell + "div", pa + " / " + pb, keep(isFloat ? a.div(0.5) : a.div(3L)), 0);
                    c.check(cell + "compare", pa + " > " + pb, keep(isFloat ? a.gt(0.5) : a.gt(3L)), 0);
                    c.check(cell + "where", "np.where(" + p + "cond, " + pa + ", np." + t.numpyName() + "(" + s + "))",
                            keep(NDArrays.where(cond, a, s0d)), 0);
                } else {
                    c.check(cell + "add", pa + " + " + pb, keep(a.add(b)), 0);
                    c.check(cell + "mul", pa + " * " + pb, keep(a.mul(b)), 0);
                    c.check(cell + "div", pa + " / " + pb, keep(a.div(b)), 0);
                    c.check(cell + "compare", pa + " > " + pb, keep(a.gt(b)), 0);
                    c.check(cell + "where", "np.where(" + p + "cond, " + pa + ", " + pb + ")",
                            keep(NDArrays.where(cond, a, b)), 0);
                }
            }
            double sumTol = t == DType.FLOAT32 ? 1e-5 : t == DType.FLOAT64 ? 1e-12 : 0;
            for (String[] l : new String[][] {{"contiguous", "x"}, {"transposed", "xt"}, {"strided", "x2"}}) {
                NDArray a = switch (l[1]) {
                    case "xt" -> xt;
                    case "x2" -> x2;
                    default -> x;
                };
                String pa = p + l[1];
                String cell = p + l[0] + " ";
                if (isFloat) {
                    c.check(cell + "exp", "np.exp(" + pa + ")", keep(a.exp()), t == DType.FLOAT32 ? 1e-6 : 1e-15);
                }
                c.check(cell + "sum_last", pa + ".sum(-1)", keep(a.sum(-1)), sumTol);
                c.check(cell + "sum_first", pa + ".sum(0)", keep(a.sum(0)), sumTol);
                c.check(cell + "mean", pa + ".mean()", keep(a.mean()), isFloat ? sumTol : 1e-14);
                if (t == DType.FLOAT32) {
                    c.check(cell + "astype f16", pa + ".astype(np.float16)", keep(a.astype(DType.FLOAT16)), 0);
                }
                if (t == DType.UINT8) {
                    c.check(cell + "astype f32", pa + ".astype(np.float32)", keep(a.astype(DType.FLOAT32)), 0);
                }
                c.check(cell + "copy", pa + ".copy()", keep(a.copy()), 0);
            }
        }
    }

    @Test
    void everyMatrixCellMatchesNumpySmall() {
        Cmp c = new Cmp(dir);
        matrixCells(c, 5, 7, "s_");
        c.np.run(Python.numpy2());
        assertTrue(c.n > 150, "cells checked: " + c.n);
    }

    /** Runs {@code body} with at least two loop threads and loops split from {@code minElements} on. */
    private static void splitFrom(long minElements, Runnable body) {
        long saved = ParallelLoops.minElements;
        org.tensorbridge.core.Parallelism.setThreads(Math.max(2, org.tensorbridge.core.Parallelism.threads()));
        ParallelLoops.minElements = minElements;
        try {
            body.run();
        } finally {
            ParallelLoops.minElements = saved;
        }
    }

    @Test
    void everyMatrixCellMatchesNumpyChunkedAndParallel() {
        splitFrom(1 << 16, () -> {  // 301k elements: several buffered chunks per row, split across threads
            Cmp c = new Cmp(dir);
            matrixCells(c, 301, 1001, "l_");
            c.np.run(Python.numpy2());
        });
    }

    @Test
    void assignFromOverlappingMemoryReadsEverythingBeforeWriting() {
        Cmp c = new Cmp(dir);
        NDArray a0 = keep(new NDRandom(3).random(DType.FLOAT32, 300, 600));
        NDArray sq0 = keep(new NDRandom(4).random(DType.FLOAT32, 300, 300));
        c.np.input("a0", a0).input("sq0", sq0);
        c.np.py("aT = sq0.copy(); aT[:] = aT.T\nsh = a0.copy(); sh[:, 1:] = sh[:, :-1]");
        NDArray sq = keep(sq0.copy());
        sq.assign(keep(sq.transpose()));
        c.check("a.assign(a.T)", "aT", sq, 0);
        NDArray b = keep(a0.copy());
        keep(b.slice(1, 1, 600, 1)).assign(keep(b.slice(1, 0, 599, 1)));
        c.check("a[:, 1:] = a[:, :-1]", "sh", b, 0);
        c.np.run(Python.numpy2());
    }

    @Test
    void transposedByteOperandsIntoViewsMatchNumpy() {
        // offsets, ragged 8 x 8 edges, a destination row longer than the view: the byte transposes' corner cases
        Cmp c = new Cmp(dir);
        NDRandom rng = new NDRandom(6);
        NDArray tb = keep(data(rng, DType.UINT8, 300, 203));
        NDArray y = keep(data(rng, DType.UINT8, 197, 295));
        c.np.input("tb", tb).input("y", y);
        c.np.py("src = tb.T[3:200, 5:300]\ndst = np.zeros((220, 330), np.uint8); dst[7:204, 11:306] = src");
        NDArray src = keep(keep(tb.transpose()).slice(0, 3, 200, 1)).slice(1, 5, 300, 1);
        keep(src);
        NDArray dst = keep(NDArray.zeros(DType.UINT8, 220, 330));
        keep(keep(dst.slice(0, 7, 204, 1)).slice(1, 11, 306, 1)).assign(src);
        c.check("dst[7:204, 11:306] = src", "dst", dst, 0);
        c.check("src + y", "src + y", keep(src.add(y)), 0);
        c.check("y - src", "y - src", keep(y.sub(src)), 0);
        NDArray mask = keep(src.gt(100L));
        c.check("src > 100", "src > 100", mask, 0);
        NDArray maskT = keep(keep(keep(mask.copy()).transpose()).copy());
        c.np.py("maskT = (src > 100).T.copy()");
        c.check("where(maskT.T, src, y)", "np.where(maskT.T, src, y)", keep(NDArrays.where(keep(maskT.transpose()), src, y)), 0);
        c.check("src.copy()", "src.copy()", keep(src.copy()), 0);
        c.np.run(Python.numpy2());
    }

    @Test
    void expOfFloat64IsWithinAnUlpAcrossItsRange() {
        // float64 exp runs our own vector polynomial: the whole range, the edges where it hands a vector to
        // Math.exp (|x| > 708: overflow, subnormal results, 0), the specials, each special at every lane position
        NDRandom rng = new NDRandom(23);
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1e-300,
            -1e-300, Double.MIN_VALUE, 1.0, -1.0, Math.log(2) / 2, -Math.log(2) / 2, 707.99, 708.0, 708.01, 709.78,
            709.79, 710.0, -707.99, -708.0, -708.01, -720.0, -744.0, -745.13, -745.14, -746.0, 1e308, -1e308};
        int lanes = 16;  // covers every lane of 8-lane vectors at both halves of a 16-element block
        double[] grid = new double[specials.length * lanes * lanes];
        java.util.Arrays.fill(grid, 0.5);
        for (int s = 0; s < specials.length; s++) {
            for (int at = 0; at < lanes; at++) {
                grid[(s * lanes + at) * lanes + at] = specials[s];
            }
        }
        NDArray wide = keep(keep(rng.uniform(-750, 750, 200_003)).astype(DType.FLOAT64));
        NDArray small = keep(keep(rng.uniform(-1, 1, 100_000)).astype(DType.FLOAT64));
        NDArray edges = keep(NDArray.of(grid, grid.length));
        NumpyCheck np = new NumpyCheck(dir);
        np.py("""
                import math
                def mexp(v):
                    try:
                        return math.exp(v)
                    except OverflowError:
                        return math.inf
                def ulps(ours, x):
                    theirs = np.exp(x)
                    exact = np.array([mexp(v) for v in x.tolist()])
                    if not np.array_equal(np.isnan(ours), np.isnan(theirs)):
                        return 'NaN where numpy has none, or none where it has'
                    ok = ~np.isnan(ours)
                    o, t, e = ours[ok].view(np.int64), theirs[ok].view(np.int64), exact[ok].view(np.int64)
                    if ((o < 0) | (t < 0)).any():
                        return 'a negative result'
                    far = np.abs(o - t).max(initial=0); off = np.abs(o - e).max(initial=0)
                    return 'ok' if far <= 2 and off <= 1 else f'{far} ulps from numpy, {off} from math.exp'
                """);
        for (Object[] c : new Object[][] {{"wide", wide}, {"small", small}, {"edges", edges}}) {
            NDArray x = (NDArray) c[1];
            np.input("x_" + c[0], x);
            np.input("e_" + c[0], keep(x.exp()));
            np.str("exp " + c[0], "ulps(e_" + c[0] + ", x_" + c[0] + ")", "ok");
        }
        np.run(Python.numpy2());
    }

    private static final DType[] MIXED = {DType.BOOL, DType.INT8, DType.UINT8, DType.INT16, DType.UINT16, DType.INT32,
        DType.UINT32, DType.INT64, DType.UINT64, DType.FLOAT16, DType.FLOAT32, DType.FLOAT64};

    @Test
    void everyDtypePairMatchesNumpy() {
        Cmp c = new Cmp(dir);
        NDRandom rng = new NDRandom(5);
        NDArray base = keep(rng.uniform(0, 100, 4, 6));
        NDArray baseRow = keep(rng.uniform(0, 100, 6));
        c.np.input("base", base).input("brow", baseRow);
        for (DType a : MIXED) {
            NDArray x = keep(base.astype(a)).transpose(); // (6, 4), not contiguous
            String xa = "base.astype(np." + a.numpyName() + ").T";
            for (DType b : MIXED) {
                NDArray y = keep(keep(base.astype(b)).transpose().copy()); // (6, 4) contiguous
                NDArray yr = keep(baseRow.astype(b)).unsqueeze(1);        // (6, 1) broadcast column
                String yb = "base.astype(np." + b.numpyName() + ").T.copy()";
                String yrb = "brow.astype(np." + b.numpyName() + ")[:, None]";
                String cell = a.numpyName() + "," + b.numpyName() + " ";
                if (!(a == DType.BOOL && b == DType.BOOL)) {
                    c.check(cell + "add", xa + " + " + yb, keep(x.add(y)), 0);
                    c.check(cell + "mul bcast", xa + " * " + yrb, keep(x.mul(yr)), 0);
                }
                c.check(cell + "maximum", "np.maximum(" + xa + ", " + yrb + ")", keep(x.maximum(yr)), 0);
                c.check(cell + "div", xa + " / " + yb, keep(x.div(y)), 0);
                c.check(cell + "lt", xa + " < " + yrb, keep(x.lt(yr)), 0);
                c.check(cell + "eq", xa + " == " + yb, keep(x.eq(y)), 0);
                c.check(cell + "where", "np.where(" + yb + ", " + xa + ", " + yrb + ")", keep(NDArrays.where(y, x, yr)), 0);
                c.check(cell + "astype", xa + ".astype(np." + b.numpyName() + ")", keep(x.astype(b)), 0);
            }
            if (a != DType.BOOL) {
                c.check(a + " neg", "-" + xa, keep(x.neg()), 0);
                c.check(a + " sub", xa + " - " + xa + "[::-1]", keep(x.sub(x.slice(0, 5, -7, -1))), 0);
                c.check(a + " sub 7", xa + " - 7", keep(x.sub(7L)), 0);
            }
            c.check(a + " abs", "np.abs(" + xa + ")", keep(x.abs()), 0);
            c.check(a + " sqrt", "np.sqrt(" + xa + ")", keep(x.sqrt()), a == DType.FLOAT16 ? 1e-3 : 1e-6);
            c.check(a + " exp/10", "np.exp(" + xa + " / 10)", keep(keep(x.div(10.0)).exp()), 1e-6);
            c.check(a + " log", "np.log(" + xa + ")", keep(x.log()), a == DType.FLOAT16 ? 1e-3 : 1e-6);
            c.check(a + " round", "np.round(" + xa + " * 0.5)", keep(keep(x.mul(0.5)).round()), 0);
            c.check(a + " * 2.5", xa + " * 2.5", keep(x.mul(2.5)), 0);
            c.check(a + " >= 50", xa + " >= 50", keep(x.ge(50L)), 0);
            c.check(a + " >= 49.5", xa + " >= 49.5", keep(x.ge(49.5)), 0);
            c.check(a + " sum 0", xa + ".sum(0)", keep(x.sum(0)), a == DType.FLOAT16 ? 1e-3 : 1e-6);
            c.check(a + " sum 1", xa + ".sum(1)", keep(x.sum(1)), a == DType.FLOAT16 ? 1e-3 : 1e-6);
            c.check(a + " var", xa + ".var(1)", keep(x.var(1)), a == DType.FLOAT16 ? 1e-2 : 1e-5);
            c.check(a + " std", xa + ".std()", keep(x.std()), a == DType.FLOAT16 ? 1e-2 : 1e-5);
            c.check(a + " clip", "np.clip(" + xa + ", 20.0, 60.0)", keep(x.clip(20.0, 60.0)), 0);
        }
        NDArray mixed = keep(NDArray.of(new double[] {0, 1, 0, 0, Double.NaN, 0, 2, 3, 0, 0, 0, 0}, 3, 4));
        c.np.input("mixed", mixed);
        c.check("any", "np.any(mixed)", keep(mixed.any()), 0);
        c.check("any 0", "np.any(mixed, axis=0)", keep(mixed.any(0)), 0);
        c.check("all 1", "np.all(mixed, axis=1)", keep(mixed.all(1)), 0);
        c.check("all T", "np.all(mixed.T != 5, axis=1)", keep(keep(mixed.transpose().ne(5.0)).all(1)), 0);
        c.check("min", "mixed.min(axis=1)", keep(mixed.min(1)), 0);
        c.check("argmax", "mixed.argmax(axis=0)", keep(mixed.argmax(0)), 0);
        NDArray halves = keep(NDArray.of(new double[] {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, Double.NaN}));
        c.np.input("halves", halves);
        c.check("round halves f64", "np.round(halves)", keep(halves.round()), 0);
        c.check("round halves f32", "np.round(halves.astype(np.float32))", keep(keep(halves.astype(DType.FLOAT32)).round()), 0);
        c.np.run(Python.numpy2());
    }

    /** Every second element (a[:, ::2], a[:, 1::2]) takes loops with constant strides: every dtype and op kind. */
    /** min/max/argmin/argmax of every dtype, layout and axis choice, ties and NaNs included. */
    private void extremeCells(Cmp c, long r, long cols, String tag) {
        NDRandom rng = new NDRandom(13);
        NDArray base = keep(rng.uniform(-50, 50, r, 2 * cols));
        NDArray baseT = keep(rng.uniform(-50, 50, 2 * cols, r));
        c.np.input(tag + "b", base).input(tag + "bt", baseT);
        for (DType t : MIXED) {
            String p = tag + t.numpyName();
            NDArray all = keep(keep(base.round()).astype(t));  // rounded: many ties
            NDArray allT = keep(keep(baseT.round()).astype(t));
            c.np.py(p + "a = np.round(" + tag + "b).astype(np." + t.numpyName() + "); " + p + "at = np.round(" + tag
                    + "bt).astype(np." + t.numpyName() + ")");
            if (t != DType.BOOL) {  // a whole contiguous array: one long row of many argmax blocks, ties across them
                c.check(p + " whole argmax", p + "a.argmax()", keep(all.argmax()), 0);
                c.check(p + " whole argmin", p + "a.argmin()", keep(all.argmin()), 0);
                c.check(p + " whole max", p + "a.max()", keep(all.max()), 0);
            }
            if (t.isFloatingPoint()) {  // NaNs in some rows and columns, not at their starts
                for (long[] at : new long[][] {{1, 3}, {r - 1, 2 * cols - 2}, {r / 2, 7}}) {
                    all.setDouble(Double.NaN, at);
                    allT.setDouble(Double.NaN, 2 * cols - 1 - at[1], at[0]);
                    c.np.py(p + "a[" + at[0] + ", " + at[1] + "] = np.nan; " + p + "at[" + (2 * cols - 1 - at[1]) + ", "
                            + at[0] + "] = np.nan");
                }
            }
            if (t.isFloatingPoint()) {
                c.check(p + " whole argmax with NaNs", p + "a.argmax()", keep(all.argmax()), 0);
            }
            String[][] layouts = {{"contiguous", p + "a[:, :" + cols + "]"}, {"strided", p + "a[:, ::2]"},
                {"transposed", p + "at[:" + cols + "].T"}};
            NDArray[] arrays = {keep(all.slice(1, 0, cols, 1)), keep(all.slice(1, 0, 2 * cols, 2)),
                keep(keep(allT.slice(0, 0, cols, 1)).transpose())};
            for (int l = 0; l < layouts.length; l++) {
                NDArray x = arrays[l];
                String xs = layouts[l][1];
                String cell = p + " " + layouts[l][0] + " ";
                c.check(cell + "max", xs + ".max()", keep(x.max()), 0);
                c.check(cell + "min", xs + ".min()", keep(x.min()), 0);
                c.check(cell + "max(0)", xs + ".max(0)", keep(x.max(0)), 0);
                c.check(cell + "min(1)", xs + ".min(1)", keep(x.min(1)), 0);
                c.check(cell + "max(1, keepdims)", xs + ".max(1, keepdims=True)", keep(x.max(new int[] {1}, true)), 0);
                if (t != DType.BOOL) {
                    c.check(cell + "argmax", xs + ".argmax()", keep(x.argmax()), 0);
                    c.check(cell + "argmin(0)", xs + ".argmin(0)", keep(x.argmin(0)), 0);
                    c.check(cell + "argmax(1)", xs + ".argmax(1)", keep(x.argmax(1)), 0);
                }
            }
        }
    }

    @Test
    void extremesOfEveryDtypeLayoutAndAxisMatchNumpy() {
        Cmp c = new Cmp(dir);
        extremeCells(c, 9, 700, "e_");  // rows longer than a fold chunk
        c.np.run(Python.numpy2());
    }

    @Test
    void extremesSplitAcrossThreadsMatchNumpy() {
        splitFrom(1 << 12, () -> {
            Cmp c = new Cmp(dir);
            extremeCells(c, 301, 257, "ep_");
            c.np.run(Python.numpy2());
        });
    }

    @Test
    void sumsOfEverySecondElementEndingAtTheMemorysEndMatchNumpy() {
        // the last element taken is the buffer's last byte: whole-vector loads over the span must stop before it
        Cmp c = new Cmp(dir);
        NDRandom rng = new NDRandom(12);
        for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.UINT8}) {
            for (long n : new long[] {1, 7, 64, 129, 1000, 4099}) {
                NDArray flat = keep(data(rng, t, 2 * n - 1));
                String p = "end_" + t.numpyName() + "_" + n;
                c.np.input(p, flat);
                NDArray evens = keep(flat.slice(0, 0, 2 * n - 1, 2));
                double tol = t == DType.FLOAT32 ? 1e-6 : t == DType.FLOAT64 ? 1e-14 : 0;
                c.check(p + " sum", p + "[::2].sum()", keep(evens.sum()), tol);
            }
            NDArray rows = keep(data(rng, t, 300, 2 * 257 - 1));
            String p = "endrows_" + t.numpyName();
            c.np.input(p, rows);
            NDArray evens = keep(rows.slice(1, 0, 2 * 257 - 1, 2));
            double tol = t == DType.FLOAT32 ? 1e-6 : t == DType.FLOAT64 ? 1e-14 : 0;
            c.check(p + " sum(0)", p + "[:, ::2].sum(0)", keep(evens.sum(0)), tol);
            c.check(p + " sum(1)", p + "[:, ::2].sum(1)", keep(evens.sum(1)), tol);
        }
        c.np.run(Python.numpy2());
    }

    @Test
    void columnSumsOfFloat32AndUint8MatchNumpy() {
        // sum(0) of float32 and uint8 rows (contiguous, transposed, every second element) adds whole rows of vectors:
        // rows left over after four at a time, a second block of rows, reversed rows, a last row ending at the
        // memory's end, columns split across threads, columns left over after whole vectors
        splitFrom(1 << 12, () -> {
            Cmp c = new Cmp(dir);
            NDRandom rng = new NDRandom(13);
            long[][] shapes = {{2, 3}, {7, 2 * 37 - 1}, {9, 2 * 32 - 1}, {259, 200}, {301, 2 * 1001 - 1}, {5, 2 * 4099}};
            for (DType t : new DType[] {DType.FLOAT32, DType.UINT8}) {
                double tol = t == DType.FLOAT32 ? 1e-6 : 0;
                for (long[] shape : shapes) {
                    NDArray base = keep(data(rng, t, shape));
                    String p = "cols_" + t.numpyName() + "_" + shape[0] + "_" + shape[1];
                    c.np.input(p, base);
                    c.check(p + " sum(0)", p + ".sum(0)", keep(base.sum(0)), tol);
                    c.check(p + " transposed sum(1)", p + ".T.sum(1)", keep(keep(base.transpose()).sum(1)), tol);
                    NDArray evens = keep(base.slice(1, 0, shape[1], 2));
                    c.check(p + " evens sum(0)", p + "[:, ::2].sum(0)", keep(evens.sum(0)), tol);
                    c.check(p + " evens mean(0)", p + "[:, ::2].mean(0)", keep(evens.mean(0)), 1e-6);
                    NDArray reversed = keep(evens.slice(0, Long.MAX_VALUE, Long.MIN_VALUE, -1));
                    c.check(p + " reversed rows sum(0)", p + "[::-1, ::2].sum(0)", keep(reversed.sum(0)), tol);
                    NDArray odds = keep(base.slice(1, 1, shape[1], 2));
                    c.check(p + " odd columns sum(0)", p + "[:, 1::2].sum(0)", keep(odds.sum(0)), tol);
                }
            }
            c.np.run(Python.numpy2());
        });
    }

    @Test
    void whereAndBinaryOfStridedBytesMatchNumpy() {
        // 1-byte operands at strides other than 1 are gathered chunk by chunk for the vector where (and uint8 ones
        // for the binary vector loops, not for scalar ones): every second
        // and every third element, reversed, beside a contiguous, a scalar or a broadcast operand; rows shorter
        // than a vector, rows longer than a chunk (2048), a last element whose neighbour lies past the memory
        splitFrom(1 << 12, () -> {
            Cmp c = new Cmp(dir);
            NDRandom rng = new NDRandom(17);
            long[][] shapes = {{3, 5}, {7, 63}, {4, 2 * 2048 + 77}, {301, 129}};
            for (DType t : new DType[] {DType.UINT8, DType.INT8, DType.BOOL}) {
                for (long[] shape : shapes) {
                    long r = shape[0], n = shape[1];
                    String p = "wb_" + t.numpyName() + "_" + r + "_" + n;
                    NDArray wide = keep(keep(rng.uniform(0, 200, r, 3 * n)).astype(t));
                    NDArray other = keep(keep(rng.uniform(0, 200, r, n)).astype(t));
                    NDArray cond = keep(keep(rng.uniform(0, 1, r, n)).gt(0.5));
                    c.np.input(p + "w", wide).input(p + "o", other).input(p + "c", cond);
                    NDArray evens = wide.slice(1, 0, 2 * n, 2);
                    NDArray thirds = wide.slice(1, 2, 3 * n, 3);
                    NDArray reversed = wide.slice(1, 3 * n - 1, n - 1, -2);
                    String ev = p + "w[:, :" + 2 * n + ":2]";
                    String th = p + "w[:, 2::3]";
                    String rv = p + "w[:, " + (3 * n - 1) + ":" + (n - 1) + ":-2]";
                    String sc = "np." + t.numpyName() + "(1)";
                    NDArray one = keep(NDArray.scalar(t, 1));
                    NDArray column = other.slice(1, 0, 1, 1);
                    c.check(p + " evens, thirds", "np.where(" + p + "c, " + ev + ", " + th + ")",
                            keep(NDArrays.where(cond, evens, thirds)), 0);
                    c.check(p + " reversed, contiguous", "np.where(" + p + "c, " + rv + ", " + p + "o)",
                            keep(NDArrays.where(cond, reversed, other)), 0);
                    c.check(p + " contiguous, evens", "np.where(" + p + "c, " + p + "o, " + ev + ")",
                            keep(NDArrays.where(cond, other, evens)), 0);
                    c.check(p + " evens, scalar", "np.where(" + p + "c, " + ev + ", " + sc + ")",
                            keep(NDArrays.where(cond, evens, one)), 0);
                    c.check(p + " column, evens", "np.where(" + p + "c, " + p + "o[:, :1], " + ev + ")",
                            keep(NDArrays.where(cond, column, evens)), 0);
                    if (t == DType.UINT8) {  // binary uint8 loops gather such operands the same way
                        c.check(p + " evens * thirds", ev + " * " + th, keep(evens.mul(thirds)), 0);
                        c.check(p + " reversed + contiguous", rv + " + " + p + "o", keep(reversed.add(other)), 0);
                        c.check(p + " contiguous - evens", p + "o - " + ev, keep(other.sub(evens)), 0);
                        c.check(p + " evens > scalar", ev + " > " + sc, keep(evens.gt(one)), 0);
                        c.check(p + " maximum(column, evens)", "np.maximum(" + p + "o[:, :1], " + ev + ")",
                                keep(column.maximum(evens)), 0);
                        // loops with no vector version read strided operands in place: power, round, int32 abs
                        c.check(p + " evens ** thirds", ev + " ** " + th, keep(evens.pow(thirds)), 0);
                        NDArray sevenths = keep(keep(wide.astype(DType.FLOAT32)).div(7.0));
                        c.check(p + " round(evens / 7)", "np.round(" + p + "w.astype(np.float32)[:, :" + 2 * n
                                + ":2] / 7)", keep(sevenths.slice(1, 0, 2 * n, 2).round()), 0);
                        NDArray centred = keep(keep(wide.astype(DType.INT32)).sub(100L));
                        c.check(p + " abs(evens - 100)", "np.abs(" + p + "w.astype(np.int32)[:, :" + 2 * n
                                + ":2] - 100)", keep(centred.slice(1, 0, 2 * n, 2).abs()), 0);
                    }
                }
            }
            c.np.run(Python.numpy2());
        });
    }

    @Test
    void everySecondElementMatchesNumpyForEveryDtype() {
        Cmp c = new Cmp(dir);
        NDRandom rng = new NDRandom(11);
        NDArray base = keep(rng.uniform(0, 100, 5, 2 * 37));
        c.np.input("sbase", base);
        for (DType a : MIXED) {
            NDArray all = keep(base.astype(a));
            NDArray x = all.slice(1, 0, 2 * 37, 2);   // stride 2 items, offset 0
            NDArray y = all.slice(1, 1, 2 * 37, 2);   // stride 2 items, offset 1 item
            String all2 = "sbase.astype(np." + a.numpyName() + ")";
            String xa = all2 + "[:, ::2]";
            String ya = all2 + "[:, 1::2]";
            String cell = "every second " + a.numpyName() + " ";
            if (a != DType.BOOL) {
                c.check(cell + "add", xa + " + " + ya, keep(x.add(y)), 0);
                c.check(cell + "sub", xa + " - " + ya, keep(x.sub(y)), 0);
                c.check(cell + "neg", "-" + xa, keep(x.neg()), 0);
            }
            c.check(cell + "mul", xa + " * " + ya, keep(x.mul(y)), 0);
            c.check(cell + "maximum", "np.maximum(" + xa + ", " + ya + ")", keep(x.maximum(y)), 0);
            c.check(cell + "minimum", "np.minimum(" + xa + ", " + ya + ")", keep(x.minimum(y)), 0);
            c.check(cell + "div", xa + " / " + ya, keep(x.div(y)), a == DType.FLOAT16 ? 1e-3 : 0);
            c.check(cell + "lt", xa + " < " + ya, keep(x.lt(y)), 0);
            c.check(cell + "eq", xa + " == " + ya, keep(x.eq(y)), 0);
            c.check(cell + "abs", "np.abs(" + xa + ")", keep(x.abs()), 0);
            c.check(cell + "copy", xa + ".copy()", keep(x.copy()), 0);
            if (a.isFloatingPoint()) {
                // strided inputs of unary math are gathered into a buffer for the vector loops: step 2 and 3
                NDArray x3 = all.slice(1, 1, 2 * 37, 3);
                String x3a = all2 + "[:, 1::3]";
                double tol = a == DType.FLOAT16 ? 1e-3 : 1e-6;
                c.check(cell + "exp/10", "np.exp(" + xa + " / 10)", keep(keep(x.div(10.0)).exp()), tol);
                c.check(cell + "exp", "np.exp(" + xa + ")", keep(x.exp()), tol);
                c.check(cell + "sqrt step 3", "np.sqrt(" + x3a + ")", keep(x3.sqrt()), tol);
                c.check(cell + "log step 3", "np.log(" + x3a + ")", keep(x3.log()), tol);
            }
            for (DType b : MIXED) {
                // y's last element ends the memory: a vector load past it would read outside the array
                c.check(cell + "astype " + b.numpyName(), xa + ".astype(np." + b.numpyName() + ")", keep(x.astype(b)), 0);
                c.check(cell + "odd astype " + b.numpyName(), ya + ".astype(np." + b.numpyName() + ")", keep(y.astype(b)), 0);
                // contiguous, ending at the memory's end: a cast loading more bytes than it converts (uint8 ->
                // float64 on AVX2) must stop whole vectors before it
                c.check(cell + "contiguous astype " + b.numpyName(), all2 + ".astype(np." + b.numpyName() + ")",
                        keep(all.astype(b)), 0);
            }
        }
        c.np.run(Python.numpy2());
        assertTrue(c.n > 200, "cells checked: " + c.n);
    }

    @Test
    void float32SumOf10MillionIsWithinNumpysOwnError() {
        NumpyCheck np = new NumpyCheck(dir);
        long n = 10_000_000;
        NDArray x = keep(new NDRandom(9).random(DType.FLOAT32, n));
        NDArray x2 = x.reshape(2500, 4000);
        double ours = keep(x.sum()).item();
        double oursMean = keep(x.mean()).item();
        NDArray rows = keep(x2.sum(-1));
        NDArray cols = keep(x2.sum(0));
        np.input("x", x);
        np.py("import math\nexact = math.fsum(x.astype(np.float64))\nnperr = abs(float(x.sum()) - exact)\n"
                + "x2 = x.reshape(2500, 4000).astype(np.float64)");
        np.py("ours = " + ours + "\noursMean = " + oursMean);
        Supplier<String> unused = () -> "";
        np.str("sum error within numpy's", "'ok' if abs(ours - exact) <= max(nperr, 1e-7 * exact) else "
                + "f'ours {ours!r} err {abs(ours - exact)} numpy err {nperr}'", "ok");
        np.str("mean error within numpy's", "'ok' if abs(oursMean - exact / 1e7) <= max(abs(float(x.mean()) - exact / 1e7),"
                + " 1e-7) else f'ours {oursMean!r} numpy {float(x.mean())!r} exact {exact / 1e7!r}'", "ok");
        np.array("row sums", "x2.sum(-1).astype(np.float32)", rows, 1e-6);
        np.array("column sums", "x2.sum(0).astype(np.float32)", cols, 1e-6);
        np.run(Python.numpy2());
    }
}
