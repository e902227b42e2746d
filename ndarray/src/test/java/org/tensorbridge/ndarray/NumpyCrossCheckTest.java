package org.tensorbridge.ndarray;

import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.testkit.ScopePerTest;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.testkit.Python;

/** Cross-checks against NumPy 2 (default python3); one Python launch per test method. */
@ExtendWith(ScopePerTest.class)
class NumpyCrossCheckTest {
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

    private static long flag(boolean b) {
        return b ? 1 : 0;
    }

    private NDArray randomF64(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        NDArray a = keep(NDArray.zeros(DType.FLOAT64, shape));
        for (long i = 0, n = a.size(); i < n; i++) {
            a.buffer().segment().setAtIndex(Elements.F64, i, r.nextDouble(-10, 10));
        }
        return a;
    }

    private NDArray arangeF32(long... shape) {
        NDArray a = keep(NDArray.zeros(DType.FLOAT32, shape));
        for (long i = 0, n = a.size(); i < n; i++) {
            a.buffer().segment().setAtIndex(Elements.F32, i, i);
        }
        return a;
    }

    @Test
    void viewsMatchNumpyStridesOffsetsAndValues() {
        NumpyCheck np = new NumpyCheck(dir);
        NDArray base = arangeF32(2, 3, 4);
        np.input("base", base);
        record V(String name, String py, NDArray v) {
        }
        List<V> views = List.of(
                new V("neg step", "base[:, ::-1, 1:4:2]",
                        base.get(Index.all(), Index.slice(null, null, -1L), Index.slice(1L, 4L, 2L))),
                new V("ellipsis", "base[..., ::-2]", base.get(Index.ellipsis(), Index.slice(null, null, -2L))),
                new V("mixed", "base[1, :, None, -1]",
                        base.get(Index.at(1), Index.all(), Index.newAxis(), Index.at(-1))),
                new V("transpose", "base.transpose(2, 0, 1)", base.transpose(2, 0, 1)),
                new V("T", "base.T", base.transpose()),
                new V("select", "base[:, 1]", base.select(1, 1)),
                new V("clamp", "base[:, -10:10]", base.slice(1, -10, 10, 1)),
                new V("neg stop", "base[:, 2:0:-1]", base.slice(1, 2, 0, -1)),
                new V("neg clamp", "base[:, 10:-10:-2]", base.slice(1, 10, -10, -2)),
                new V("reverse all", "base[::-1, ::-1, ::-1]", base.get(Index.slice(null, null, -1L),
                        Index.slice(null, null, -1L), Index.slice(null, null, -1L))),
                new V("empty", "base[:, 2:1]", base.slice(1, 2, 1, 1)),
                new V("swapaxes", "base.swapaxes(0, 2)", base.swapaxes(0, 2)),
                new V("unsqueeze", "np.expand_dims(base, 1)", base.unsqueeze(1)),
                new V("unsqueeze end", "np.expand_dims(base, -1)", base.unsqueeze(-1)),
                new V("squeeze", "base[:, :1, :].squeeze(1)", base.slice(1, 0, 1, 1).squeeze(1)),
                new V("broadcast", "np.broadcast_to(base[:, :1, :], (5, 2, 3, 4))",
                        base.slice(1, 0, 1, 1).broadcastTo(5, 2, 3, 4)),
                new V("step view", "base[:, ::2, 1::2]", base.get(Index.all(), Index.slice(null, null, 2L),
                        Index.slice(1L, null, 2L))));
        for (V v : views) {
            np.array(v.name + " values", v.py, v.v, 0);
            np.ints(v.name + " strides", v.py + ".strides", v.v.strides());
            if (v.v.size() > 0) {
                np.ints(v.name + " offset", "[off(" + v.py + ", base)]", v.v.byteOffset());
            }
            np.ints(v.name + " flags", "[" + v.py + ".flags.c_contiguous, " + v.py + ".flags.f_contiguous]",
                    flag(v.v.isCContiguous()), flag(v.v.isFContiguous()));
        }
        // segment() covers exactly the reachable bytes
        NDArray rev = base.get(Index.slice(null, null, -1L));
        assertEquals(base.nbytes(), rev.segment().byteSize());
        assertEquals(rev.size(), rev.copy().size());
        np.run(Python.numpy2());
    }

    @Test
    void reshapeViewOrCopyMatchesNumpy() {
        NumpyCheck np = new NumpyCheck(dir);
        NDArray base = arangeF32(4, 6, 5);
        np.input("base", base);
        record R(String py, NDArray src, long[] shape) {
        }
        List<R> cases = List.of(
                new R("base", base, new long[] {6, 20}),
                new R("base", base, new long[] {-1}),
                new R("base.transpose(1, 0, 2)", base.transpose(1, 0, 2), new long[] {24, 5}),
                new R("base.transpose(1, 0, 2)", base.transpose(1, 0, 2), new long[] {6, 4, 5, 1}),
                new R("base.transpose(1, 0, 2)", base.transpose(1, 0, 2), new long[] {6, 20}),
                new R("base[:, ::2, :]", base.slice(1, 0, 6, 2), new long[] {4, 3, 5}),
                new R("base[:, ::2, :]", base.slice(1, 0, 6, 2), new long[] {12, 5}),
                new R("base[:, ::2, :]", base.slice(1, 0, 6, 2), new long[] {4, 15}),
                new R("base[:, :, ::-1]", base.slice(2, Long.MAX_VALUE, Long.MIN_VALUE, -1), new long[] {24, 5}),
                new R("base[:, :, ::-1]", base.slice(2, Long.MAX_VALUE, Long.MIN_VALUE, -1), new long[] {-1}),
                new R("base.T", base.transpose(), new long[] {5, 2, 3, 4}),
                new R("base.T", base.transpose(), new long[] {5, 24}),
                new R("base[1:3]", base.slice(0, 1, 3, 1), new long[] {3, 4, 5}),
                new R("base[:, 2]", base.select(1, 2), new long[] {2, 2, 5}),
                new R("base[:, 2]", base.select(1, 2), new long[] {20}));
        for (R c : cases) {
            NDArray r = c.src.reshape(c.shape);
            if (r.ownsBuffer()) {
                keep(r);
            }
            String expr = c.py + ".reshape(" + NumpyCheck.tuple(c.shape) + ")";
            String label = c.py + " -> " + NumpyCheck.tuple(c.shape);
            np.ints(label + " is view", "[np.shares_memory(" + expr + ", base)]", flag(r.buffer() == base.buffer()));
            np.ints(label + " strides", expr + ".strides", r.strides());
            np.array(label + " values", expr, r, 0);
            if (r.buffer() != base.buffer()) {
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> c.src.view(c.shape));
            }
        }
        NDArray flat = keep(base.transpose().flatten());
        np.array("flatten", "base.T.flatten()", flat, 0);
        np.run(Python.numpy2());
    }

    @Test
    void promotionMatchesNumpy2ResultType() {
        NumpyCheck np = new NumpyCheck(dir);
        List<DType> types = new ArrayList<>(DType.arrayTypes());
        types.remove(DType.BFLOAT16);
        for (DType a : types) {
            for (DType b : types) {
                DType r = Promotion.promote(a, b);
                np.ints("result_type(" + a + "," + b + ")", "[np.result_type(np." + a.numpyName() + ", np."
                        + b.numpyName() + ") == np.dtype('" + r.numpyName() + "')]", 1);
            }
        }
        // weak Python scalars (NEP 50), through real ops
        for (DType a : types) {
            if (a.isComplex()) {
                continue;
            }
            try (NDArray z = NDArray.ones(a, 2); NDArray f = z.add(1.5); NDArray i = z.add(1L);
                    NDArray d = z.div(z)) {
                np.str(a + " + 1.5", "(np.ones(2, np." + a.numpyName() + ") + 1.5).dtype.name", f.dtype().numpyName());
                np.str(a + " + 1", "(np.ones(2, np." + a.numpyName() + ") + 1).dtype.name", i.dtype().numpyName());
                np.str(a + " / " + a, "(np.ones(2, np." + a.numpyName() + ") / np.ones(2, np." + a.numpyName()
                        + ")).dtype.name", d.dtype().numpyName());
                if (a != DType.BOOL) {
                    try (NDArray s = z.sqrt()) {
                        np.str("sqrt " + a, "np.sqrt(np.ones(2, np." + a.numpyName() + ")).dtype.name",
                                s.dtype().numpyName());
                    }
                }
                try (NDArray s = z.sum()) {
                    np.str("sum " + a, "np.ones(2, np." + a.numpyName() + ").sum().dtype.name", s.dtype().numpyName());
                }
                try (NDArray s = z.mean()) {
                    np.str("mean " + a, "np.ones(2, np." + a.numpyName() + ").mean().dtype.name", s.dtype().numpyName());
                }
            }
        }
        np.run(Python.numpy2());
    }

    @Test
    void arithmeticBroadcastingAndComparisonsMatchNumpy() {
        NumpyCheck np = new NumpyCheck(dir);
        NDArray a64 = randomF64(1, 3, 1, 4);
        NDArray b64 = randomF64(2, 5, 1);
        NDArray a = keep(a64.astype(DType.FLOAT32));
        NDArray b = keep(b64.astype(DType.FLOAT32));
        NDArray c = keep(randomF64(3, 3, 5, 4).astype(DType.FLOAT32));
        NDArray i8 = keep(randomF64(4, 3, 5, 4).mul(13.0).astype(DType.INT8));
        NDArray u8 = keep(randomF64(5, 5, 4).mul(30.0).astype(DType.UINT8));
        NDArray i32 = keep(randomF64(6, 4).mul(1000.0).astype(DType.INT32));
        NDArray pos = keep(a.abs());
        np.input("a", a).input("b", b).input("c", c).input("a64", a64).input("b64", b64).input("i8", i8)
                .input("u8", u8).input("i32", i32);
        np.array("a+b", "a + b", keep(a.add(b)), 0);
        np.array("a-b64", "a - b64", keep(a.sub(b64)), 0);
        np.array("a*c", "a * c", keep(a.mul(c)), 0);
        np.array("c/a", "c / a", keep(c.div(a)), 0);
        np.array("c contiguous add", "c + c", keep(c.add(c)), 0);
        np.array("c transposed add", "c.T + c.T", keep(c.transpose().add(c.transpose())), 0);
        np.array("i8+i8 wraps", "i8 + i8", keep(i8.add(i8)), 0);
        np.array("i8*u8", "i8 * u8", keep(i8.mul(u8)), 0);
        np.array("u8-u8 wraps", "u8 - u8[::-1]", keep(u8.sub(u8.slice(0, Long.MAX_VALUE, Long.MIN_VALUE, -1))), 0);
        np.array("i8/i8", "i8 / (i8 + np.int8(100))", keep(i8.div(keep(i8.add(100L)))), 0);
        np.array("i8 + 100 weak", "i8 + 100", keep(i8.add(100L)), 0);
        np.array("i8 * 2.5 weak", "i8 * 2.5", keep(i8.mul(2.5)), 0);
        np.array("a + 0.1 weak", "a + 0.1", keep(a.add(0.1)), 0);
        np.array("a / 3", "a / 3", keep(a.div(3L)), 0);
        np.array("1 - a", "1.0 - a", keep(a.rsub(1.0)), 0);
        np.array("2 / a", "2.0 / a", keep(a.rdiv(2.0)), 0);
        np.array("sqrt i8", "np.sqrt(np.abs(i8))", keep(keep(i8.abs()).sqrt()), 0);
        np.array("sqrt a", "np.sqrt(np.abs(a))", keep(pos.sqrt()), 0);
        np.array("exp a", "np.exp(a)", keep(a.exp()), 2e-7);
        np.array("log a", "np.log(np.abs(a))", keep(pos.log()), 2e-7);
        np.array("pow", "np.abs(a) ** b", keep(pos.pow(b)), 2e-7);
        np.array("pow int", "i32 ** 2", keep(i32.pow(2L)), 0);
        np.array("neg", "-a", keep(a.neg()), 0);
        np.array("abs i8", "np.abs(i8)", keep(i8.abs()), 0);
        np.array("min", "np.minimum(a, b)", keep(a.minimum(b)), 0);
        np.array("max i8 u8", "np.maximum(i8, u8)", keep(i8.maximum(u8)), 0);
        np.array("clip float", "np.clip(a, -2.5, 3.5)", keep(a.clip(-2.5, 3.5)), 0);
        np.array("clip int w/ float bounds", "np.clip(i32, -100.5, 200.5)", keep(i32.clip(-100.5, 200.5)), 0);
        np.array("lt", "a < b", keep(a.lt(b)), 0);
        np.array("ge i8 u8", "i8 >= u8", keep(i8.ge(u8)), 0);
        np.array("eq", "c == c.T.T", keep(c.eq(c.transpose().transpose())), 0);
        np.array("ne scalar", "a != a[0,0,0]", keep(a.ne(a.getDouble(0, 0, 0))), 0);
        np.array("f32 == 0.1 weak", "np.float32([0.1, 0.2]) == 0.1", keep(keep(NDArray.of(new float[] {0.1f, 0.2f}))
                .eq(0.1)), 0);
        np.array("u8 < 300", "u8 < 300", keep(u8.lt(300L)), 0);
        np.array("where", "np.where(a < b, a, i8)", keep(NDArrays.where(keep(a.lt(b)), a, i8)), 0);
        np.array("where scalars", "np.where(c > 0, 1.0, -1.0)", keep(NDArrays.where(keep(c.gt(0.0)), 1.0, -1.0)), 0);
        // NaN handling
        NDArray withNan = keep(NDArray.of(new double[] {1, Double.NaN, -3, 4}));
        np.input("wn", withNan);
        np.array("min nan", "np.minimum(wn, 0.0)", keep(withNan.minimum(0.0)), 0);
        np.array("max nan reduce", "wn.max()", keep(withNan.max()), 0);
        np.array("argmax nan", "wn.argmax()", keep(withNan.argmax()), 0);
        np.run(Python.numpy2());
    }

    @Test
    void astypeMatchesNumpyIncludingHalfAndBfloat16Rounding() {
        NumpyCheck np = new NumpyCheck(dir);
        SplittableRandom r = new SplittableRandom(7);
        int n = 4000;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            switch (i % 4) {
                case 0 -> d[i] = r.nextDouble(-70000, 70000);
                case 1 -> d[i] = r.nextDouble(-1, 1) * Math.pow(2, -r.nextInt(30));
                // exact float16 ties: a half value plus half an ulp
                case 2 -> {
                    float h = Float.float16ToFloat((short) r.nextInt(0x7BFF));
                    float next = Float.float16ToFloat((short) (Float.floatToFloat16(h) + 1));
                    d[i] = ((double) h + next) / 2;
                }
                default -> d[i] = Float.intBitsToFloat(r.nextInt()) ;
            }
            if (Double.isNaN(d[i]) || Double.isInfinite(d[i])) {
                d[i] = 1.5;
            }
        }
        NDArray x64 = keep(NDArray.of(d));
        NDArray x32 = keep(x64.astype(DType.FLOAT32));
        np.input("x64", x64).input("x32", x32);
        np.array("f64->f32", "x64.astype(np.float32)", x32, 0);
        np.array("f32->f16", "x32.astype(np.float16)", keep(x32.astype(DType.FLOAT16)), 0);
        np.array("f64->f16", "x64.astype(np.float16)", keep(x64.astype(DType.FLOAT16)), 0);
        np.array("f16->f32", "x32.astype(np.float16).astype(np.float32)",
                keep(keep(x32.astype(DType.FLOAT16)).astype(DType.FLOAT32)), 0);
        // bfloat16: round-to-nearest-even on the float32 bits, computed in NumPy with uint32 arithmetic
        np.py("""
                def bf16(x):
                    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
                    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)
                    return r
                """);
        np.array("f32->bf16 bits", "bf16(x32)", keep(x32.astype(DType.BFLOAT16)).viewAs(DType.UINT16), 0);
        np.array("bf16->f32", "(bf16(x32).astype(np.uint32) << 16).view(np.float32)",
                keep(keep(x32.astype(DType.BFLOAT16)).astype(DType.FLOAT32)), 0);
        NDArray small = keep(x64.slice(0, 0, n, 4).mul(1e-3));
        np.input("small", small);
        np.array("f64->int32 truncates", "small.astype(np.int32)", keep(small.astype(DType.INT32)), 0);
        np.array("f64->int64", "small.astype(np.int64)", keep(small.astype(DType.INT64)), 0);
        np.array("f64->int8 in range", "(small / 1000).astype(np.int8)", keep(keep(small.div(1000.0)).astype(DType.INT8)), 0);
        np.array("f64->bool", "(small * 0.01).astype(np.int8).astype(bool)",
                keep(keep(keep(small.mul(0.01)).astype(DType.INT8)).astype(DType.BOOL)), 0);
        NDArray ints = keep(x64.astype(DType.INT64));
        np.input("i64", ints);
        np.array("int64 values", "x64.astype(np.int64)", ints, 0);
        np.array("i64->f32", "i64.astype(np.float32)", keep(ints.astype(DType.FLOAT32)), 0);
        np.array("i64->u8 wraps", "i64.astype(np.uint8)", keep(ints.astype(DType.UINT8)), 0);
        np.array("i64->i16 wraps", "i64.astype(np.int16)", keep(ints.astype(DType.INT16)), 0);
        np.array("strided astype", "x32[::-3].astype(np.float64)", keep(x32.slice(0, Long.MAX_VALUE, Long.MIN_VALUE, -3)
                .astype(DType.FLOAT64)), 0);
        np.array("to complex and back", "x32.astype(np.complex64).real", keep(keep(x32.astype(DType.COMPLEX64))
                .astype(DType.FLOAT32)), 0);
        np.run(Python.numpy2());
    }

    @Test
    void reductionsMatchNumpy() {
        NumpyCheck np = new NumpyCheck(dir);
        NDArray x = keep(randomF64(11, 4, 5, 6).astype(DType.FLOAT32));
        NDArray xd = randomF64(12, 3, 7, 2);
        NDArray xi = keep(randomF64(13, 4, 5, 6).mul(100.0).astype(DType.INT16));
        NDArray xu = keep(randomF64(14, 50).mul(100.0).astype(DType.UINT8));
        np.input("x", x).input("xd", xd).input("xi", xi).input("xu", xu);
        double tol32 = 1e-6;
        np.array("sum all", "x.sum()", keep(x.sum()), tol32);
        np.array("sum 0", "x.sum(axis=0)", keep(x.sum(0)), tol32);
        np.array("sum (0,2) keepdims", "x.sum(axis=(0, 2), keepdims=True)", keep(x.sum(new int[] {0, 2}, true)), tol32);
        np.array("sum -1 transposed", "x.T.sum(axis=-1)", keep(x.transpose().sum(-1)), tol32);
        np.array("mean 1", "x.mean(axis=1)", keep(x.mean(1)), tol32);
        np.array("mean d", "xd.mean(axis=(0, 1))", keep(xd.mean(0, 1)), 1e-14);
        np.array("var ddof1", "xd.var(axis=1, ddof=1)", keep(xd.var(new int[] {1}, 1, false)), 1e-13);
        np.array("std", "x.std(axis=2)", keep(x.std(2)), 1e-5);
        np.array("std keepdims", "xd.std(axis=0, keepdims=True)", keep(xd.std(new int[] {0}, 0, true)), 1e-13);
        np.array("min", "x.min(axis=1)", keep(x.min(1)), 0);
        np.array("max all", "x.max()", keep(x.max()), 0);
        np.array("max keepdims", "x.max(axis=(1, 2), keepdims=True)", keep(x.max(new int[] {1, 2}, true)), 0);
        np.array("argmax", "x.argmax()", keep(x.argmax()), 0);
        np.array("argmax axis", "x.argmax(axis=1)", keep(x.argmax(1)), 0);
        np.array("argmin axis", "x.argmin(axis=-1)", keep(x.argmin(-1)), 0);
        np.array("int sum", "xi.sum(axis=2)", keep(xi.sum(2)), 0);
        np.array("int mean", "xi.mean()", keep(xi.mean()), 1e-14);
        np.array("int min", "xi.min(axis=0)", keep(xi.min(0)), 0);
        np.array("uint sum", "xu.sum()", keep(xu.sum()), 0);
        np.array("uint max", "xu.max()", keep(xu.max()), 0);
        np.array("int var", "xi.var(axis=1)", keep(xi.var(1)), 1e-13);
        np.run(Python.numpy2());
    }

    @Test
    void normalizeCreationAndJoiningMatchNumpy() {
        NumpyCheck np = new NumpyCheck(dir);
        NDArray img = keep(randomF64(21, 2, 3, 5, 7).mul(25.0).astype(DType.FLOAT32));
        NDArray hwc = keep(randomF64(22, 4, 5, 3).mul(100.0).astype(DType.UINT8));
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        np.input("img", img).input("hwc", hwc);
        np.py("m = np.float32([0.485, 0.456, 0.406]); s = np.float32([0.229, 0.224, 0.225])");
        np.array("normalize NCHW", "(img - m[:, None, None]) / s[:, None, None]", keep(img.normalize(mean, std, 1)), 0);
        np.array("normalize HWC uint8", "((hwc.astype(np.float32) - m) / s)", keep(hwc.normalize(mean, std, -1)), 0);
        np.array("normalize strided", "((img.transpose(0, 2, 3, 1) - m) / s)",
                keep(img.transpose(0, 2, 3, 1).normalize(mean, std, 3)), 0);
        np.array("arange", "np.arange(10)", keep(NDArrays.arange(10)), 0);
        np.array("arange neg", "np.arange(10, -7, -3)", keep(NDArrays.arange(10, -7, -3)), 0);
        np.array("arange float", "np.arange(0.5, 3.2, 0.3)", keep(NDArrays.arange(0.5, 3.2, 0.3)), 0);
        np.array("arange f32", "np.arange(0, 2, 0.25, dtype=np.float32)",
                keep(NDArrays.arange(0, 2, 0.25, DType.FLOAT32)), 0);
        np.array("linspace", "np.linspace(-1, 2.5, 13)", keep(NDArrays.linspace(-1, 2.5, 13)), 0);
        np.array("linspace no end", "np.linspace(0, 1, 7, endpoint=False)", keep(NDArrays.linspace(0, 1, 7, false)), 0);
        np.array("eye", "np.eye(3, 4, 1, dtype=np.int32)", keep(NDArrays.eye(3, 4, 1, DType.INT32)), 0);
        np.array("eye n", "np.eye(3)", keep(NDArrays.eye(3)), 0);
        np.array("concatenate", "np.concatenate([img, img[:, :1].astype(np.float64)], axis=1)",
                keep(NDArrays.concatenate(1, img, keep(img.slice(1, 0, 1, 1).astype(DType.FLOAT64)))), 0);
        np.array("stack", "np.stack([hwc, hwc[::-1]], axis=-1)",
                keep(NDArrays.stack(-1, hwc, hwc.slice(0, Long.MAX_VALUE, Long.MIN_VALUE, -1))), 0);
        np.array("full", "np.full((2, 3), 7, dtype=np.int16)", keep(NDArray.full(DType.INT16, 7, 2, 3)), 0);
        np.array("ones f16", "np.ones((4,), dtype=np.float16)", keep(NDArray.ones(DType.FLOAT16, 4)), 0);
        NDArray filled = keep(NDArray.zeros(DType.FLOAT32, 3, 4));
        filled.slice(1, 0, 4, 2).fill(2.5);
        np.array("fill strided", "np.where(np.arange(4) % 2 == 0, np.float32(2.5), np.float32(0)) * np.ones((3, 1), np.float32)",
                filled, 0);
        np.run(Python.numpy2());
    }

    @Test
    void reprRoughlyMatchesNumpy() {
        NumpyCheck np = new NumpyCheck(dir);
        record C(String py, NDArray a) {
        }
        List<C> cases = List.of(
                new C("np.array([[1., 2.], [3., 4.]], dtype=np.float32)",
                        keep(NDArray.of(new float[] {1, 2, 3, 4}, 2, 2))),
                new C("np.array([1.5, 2.25, -3.0])", keep(NDArray.of(new double[] {1.5, 2.25, -3.0}))),
                new C("np.arange(12, dtype=np.int32).reshape(3, 4)",
                        keep(keep(NDArrays.arange(12)).astype(DType.INT32)).reshape(3, 4)),
                new C("np.array([True, False, True])", keep(NDArray.of(new boolean[] {true, false, true}))),
                new C("np.arange(2000.0)", keep(NDArrays.arange(0.0, 2000.0, 1.0))),
                new C("np.arange(2000.0).reshape(40, 50)", keep(NDArrays.arange(0.0, 2000.0, 1.0)).reshape(40, 50)),
                new C("np.array([1e-5, 1.0, 250.5])", keep(NDArray.of(new double[] {1e-5, 1.0, 250.5}))),
                new C("np.array([0.1, np.nan, -np.inf], dtype=np.float32)",
                        keep(NDArray.of(new float[] {0.1f, Float.NaN, Float.NEGATIVE_INFINITY}))),
                new C("np.zeros((0, 3))", keep(NDArray.zeros(DType.FLOAT64, 0, 3))),
                new C("np.zeros((0,), np.float32)", keep(NDArray.zeros(DType.FLOAT32, 0))),
                new C("np.array(3.5, dtype=np.float32)", keep(NDArray.scalar(DType.FLOAT32, 3.5))),
                new C("np.arange(30.0).reshape(2, 3, 5) / 7", keep(keep(NDArrays.arange(0.0, 30.0, 1.0)).div(7.0)).reshape(2, 3, 5)),
                new C("np.arange(40, dtype=np.int16) * 1000",
                        keep(keep(keep(NDArrays.arange(40)).astype(DType.INT16)).mul(1000L))));
        for (C c : cases) {
            np.str("repr " + c.py, "repr(" + c.py + ")", c.a.toString());
        }
        np.run(Python.numpy2());
    }
}
