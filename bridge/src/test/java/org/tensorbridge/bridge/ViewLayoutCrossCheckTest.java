package org.tensorbridge.bridge;

import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.testkit.ScopePerTest;

import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tensorbridge.bridge.BridgeTestSupport.assertRefused;
import static org.tensorbridge.bridge.BridgeTestSupport.values;
import static org.tensorbridge.ndarray.Index.all;
import static org.tensorbridge.ndarray.Index.at;
import static org.tensorbridge.ndarray.Index.ellipsis;
import static org.tensorbridge.ndarray.Index.newAxis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tensorbridge.ndarray.Index;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDArrays;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/**
 * Strided views shared with {@link Bridge#fromArray}, checked against PyTorch: the same NumPy view is built
 * in Debian's python3 (NumPy 1.24 + torch 1.13, one launch for every case), which prints what
 * {@code torch.from_numpy(view)} reports (shape, element strides, dtype), the view's element offset from
 * the base, its values, and which base elements a write through the view reaches. Ours must agree:
 * metadata, values (reads through the tensor), the written positions (a {@code fill_} through the tensor
 * lands exactly on the view's elements of the base array), and a write through the array is seen by the
 * tensor.
 *
 * <p>Size-0/size-1 axes: the bridge normalises their stride to the contiguous one (their stride never
 * matters; NumPy's ascontiguousarray can leave a negative one there, which torch 1.13's from_numpy
 * refuses and we accept); strides are compared on the other axes, and the normalised value is checked.
 */
@ExtendWith(ScopePerTest.class)
class ViewLayoutCrossCheckTest {
    private static final long[] BASE_SHAPE = {2, 3, 4, 5};
    private static final List<DType> DTYPES = List.of(DType.FLOAT32, DType.INT16, DType.COMPLEX128, DType.BOOL, DType.FLOAT16);

    private static Index s(Long start, Long stop, Long step) {
        return Index.slice(start, stop, step);
    }

    private static final Index REV = s(null, null, -1L);

    /** A view: its NumPy expression on {@code b} and the same view in Java; refused = has a negative stride on a longer axis. */
    record Case(String name, String python, UnaryOperator<NDArray> java, boolean refused) {
    }

    static final List<Case> CASES = List.of(
            new Case("contiguous", "b", v -> v, false),
            new Case("transposed", "b.T", NDArray::transpose, false),
            new Case("permuted", "b.transpose(0, 2, 1, 3)", v -> v.permute(0, 2, 1, 3), false),
            new Case("sliced_steps", "b[:, ::2, 1::2, ::3]", v -> v.get(all(), s(null, null, 2L), s(1L, null, 2L), s(null, null, 3L)), false),
            new Case("offset", "b[1, 2:, 1:3]", v -> v.get(at(1), s(2L, null, null), s(1L, 3L, null)), false),
            new Case("select_last_axis", "b[..., 3]", v -> v.get(ellipsis(), at(3)), false),
            new Case("transposed_sliced", "b.T[1:4, ::2, :, 1]", v -> v.transpose().get(s(1L, 4L, null), s(null, null, 2L), all(), at(1)), false),
            new Case("zero_size", "b[:, 2:2]", v -> v.get(all(), s(2L, 2L, null)), false),
            new Case("zero_size_offset", "b[1:, :, 4:]", v -> v.get(s(1L, null, null), all(), s(4L, null, null)), false),
            new Case("zero_dim", "b[1, 2, 3, 4, ...]", v -> v.get(at(1), at(2), at(3), at(4)), false),
            new Case("zero_dim_origin", "b[0, 0, 0, 0, ...]", v -> v.get(at(0), at(0), at(0), at(0)), false),
            new Case("new_axis", "b[:, None, 1]", v -> v.get(all(), newAxis(), at(1)), false),
            new Case("expand_inner", "expand(b[0, 1, :, 2:3], (3, 4, 6))", v -> v.get(at(0), at(1), all(), s(2L, 3L, null)).expand(3, 4, 6), false),
            new Case("expand_leading", "expand(b[1, 2], (2, 4, 5))", v -> v.get(at(1), at(2)).expand(2, 4, 5), false),
            new Case("neg_stride_size1", "b[1:2][::-1]", v -> v.get(s(1L, 2L, null)).get(REV), false),
            new Case("neg_stride_size1_row", "b[0, 0, 1:2, :][::-1, :]", v -> v.get(at(0), at(0), s(1L, 2L, null), all()).get(REV, all()), false),
            new Case("neg_stride_size1_inner", "b[..., 2:3][..., ::-1]", v -> v.get(ellipsis(), s(2L, 3L, null)).get(ellipsis(), REV), false),
            new Case("double_reverse", "b[:, ::-1][:, ::-1]", v -> v.get(all(), REV).get(all(), REV), false),
            new Case("reversed", "b[::-1]", v -> v.get(REV), true),
            new Case("reversed_inner_step", "b[:, :, ::-2]", v -> v.get(all(), all(), s(null, null, -2L)), true));

    private static final String SCRIPT = """
            import sys, warnings
            import numpy as np, torch
            warnings.simplefilter('ignore')
            def expand(v, shape):
                bt = np.broadcast_to(v, shape)
                return np.lib.stride_tricks.as_strided(v, shape=bt.shape, strides=bt.strides, writeable=True)
            def ints(xs):
                return ','.join(str(int(x)) for x in xs)
            def vals(v):
                return ' '.join(repr(float(x)) for x in np.real(v).astype(np.float64).ravel())
            def address(v):
                return v.__array_interface__['data'][0]
            CASES = [%s]
            for dt in sys.argv[1].split(','):
                for name, f in CASES:
                    base = np.arange(120).reshape(2, 3, 4, 5).astype(dt)
                    v = f(base)
                    item = v.itemsize
                    offset = (address(v) - address(base)) // item
                    try:
                        t = torch.from_numpy(v)
                        status, strides, tdtype = 'ok', t.stride(), str(t.dtype).replace('torch.', '')
                        assert tuple(t.shape) == v.shape
                    except Exception as e:
                        status, strides, tdtype = 'refused', [st // item for st in v.strides], '-'
                    written = base.copy()
                    f(written)[...] = -1
                    print('\\t'.join([dt, name, status, ints(v.shape), ints(strides), str(offset), tdtype, vals(v), vals(written)]))
            """;

    record Expected(String status, long[] shape, long[] strides, long offset, String torchDtype, double[] values, double[] written) {
    }

    private static Map<String, Expected> runPython() {
        StringBuilder cases = new StringBuilder();
        for (Case c : CASES) {
            cases.append("('").append(c.name()).append("', lambda b: ").append(c.python()).append("), ");
        }
        String names = String.join(",", DTYPES.stream().map(DType::numpyName).toList());
        String out = Python.torch(Torch.version()).orElseGet(() -> org.junit.jupiter.api.Assumptions.abort(Python.noTorchReason(Torch.version())))
                .run(SCRIPT.formatted(cases), names);
        Map<String, Expected> expected = new HashMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            expected.put(f[0] + "/" + f[1], new Expected(f[2], longs(f[3]), longs(f[4]), Long.parseLong(f[5]), f[6],
                    Python.parseDoubles(f[7]), Python.parseDoubles(f[8])));
        }
        return expected;
    }

    private static long[] longs(String csv) {
        return csv.isEmpty() ? new long[0] : Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }

    @TestFactory
    Stream<DynamicTest> viewsAgreeWithTorchFromNumpy() {
        Map<String, Expected> expected = runPython();
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dtype : DTYPES) {
            for (Case c : CASES) {
                Expected e = expected.get(dtype.numpyName() + "/" + c.name());
                tests.add(DynamicTest.dynamicTest(dtype.numpyName() + " " + c.name() + ": " + c.python(), () -> check(dtype, c, e)));
            }
        }
        assertEquals(tests.size(), expected.size(), "python printed one line per case");
        return tests.stream();
    }

    private static NDArray base(DType dtype) {
        return Scope.compute(() -> NDArrays.arange(120).reshape(BASE_SHAPE).astype(dtype));
    }

    private static void check(DType dtype, Case c, Expected e) {
        assertEquals(c.refused(), e.status().equals("refused") && !c.name().startsWith("neg_stride_size1"),
                "the case table says which views torch refuses");
        try (NDArray base = base(dtype); Scope scope = Scope.open()) {
            NDArray view = c.java().apply(base);  // the view and any intermediate views close with the scope
            int held = base.buffer().refCount();
            assertArrayEquals(e.shape(), view.shape(), "the Java view is the NumPy view");
            if (c.refused()) {
                assertRefused(BridgeException.class, () -> Bridge.fromArray(view), "negative stride", "copy()");
                assertEquals(held, base.buffer().refCount(), "a refused array is not retained");
                return;
            }
            try (Tensor tensor = Bridge.fromArray(view)) {
                checkMetadata(dtype, c, e, base, tensor);
                double[] read = values(tensor);
                if (dtype.isComplex()) {
                    read = realParts(read);
                }
                assertArrayEquals(e.values(), read, "values read through the tensor (C order)");

                // tensor -> array: the write lands exactly on the view's elements of the base
                Op.callTensor("aten::fill_", tensor, -1).close();
                assertArrayEquals(e.written(), values(base), "base after fill_(-1) through the tensor");

                // array -> tensor: a write through the view is read back through the tensor
                if (view.size() > 0) {
                    long[] last = Arrays.stream(view.shape()).map(d -> d - 1).toArray();
                    view.setDouble(0, last);
                    double[] after = values(tensor);
                    int lastFlat = (int) view.size() - 1;
                    assertEquals(0.0, dtype.isComplex() ? after[2 * lastFlat] : after[lastFlat], "array write seen by the tensor");
                }
            }
            assertEquals(held, base.buffer().refCount(), "closing the tensor released the buffer");
        }
    }

    private static void checkMetadata(DType dtype, Case c, Expected e, NDArray base, Tensor tensor) {
        long[] shape = tensor.shape();
        long[] strides = tensor.strides();
        assertArrayEquals(e.shape(), shape, "shape");
        if (!e.torchDtype().equals("-")) {
            assertEquals(e.torchDtype(), tensor.dtype().torchName(), "dtype as torch.from_numpy gives it");
        }
        assertEquals(0, tensor.storageOffset(), "from_numpy-style: the storage starts at the first element");
        long size = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
        if (size == 0) {
            return;  // strides and data address of an empty tensor mean nothing (data_ptr() is null)
        }
        long contiguous = 1;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            if (shape[axis] > 1) {
                assertEquals(e.strides()[axis], strides[axis], "stride of axis " + axis + ": ours " + Arrays.toString(strides)
                        + ", torch.from_numpy " + Arrays.toString(e.strides()));
            } else {
                assertEquals(contiguous, strides[axis], "size-1 axis " + axis + " gets the contiguous stride");
            }
            contiguous *= Math.max(shape[axis], 1);
        }
        long baseAddress = base.segment().address();
        assertEquals(e.offset(), (tensor.dataAddress() - baseAddress) / base.itemSize(), "element offset of the first element");
        assertEquals(0, (tensor.dataAddress() - baseAddress) % base.itemSize());
        assertTrue(tensor.dataAddress() >= baseAddress && tensor.dataAddress() < baseAddress + base.nbytes(), "inside the base: no copy");
    }

    private static double[] realParts(double[] pairs) {
        double[] re = new double[pairs.length / 2];
        for (int i = 0; i < re.length; i++) {
            re[i] = pairs[2 * i];
        }
        return re;
    }
}
