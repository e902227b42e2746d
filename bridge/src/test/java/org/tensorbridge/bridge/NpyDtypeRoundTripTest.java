package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.tensorbridge.bridge.BridgeTestSupport.assertRefused;
import static org.tensorbridge.bridge.BridgeTestSupport.firstElementAddress;
import static org.tensorbridge.bridge.BridgeTestSupport.values;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.io.MmapMode;
import org.tensorbridge.ndarray.io.NpyFile;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;
import org.tensorbridge.torch.TorchException;

/**
 * Every NumPy dtype end to end: NumPy writes a .npy, NpyFile reads it (copy) and maps it (copy-on-write),
 * Bridge.fromArray shares it, libtorch computes {@code t * t + t} on it; PyTorch does the same on
 * {@code torch.from_numpy(np.load(file))} and the dtypes and results must be identical (same libtorch
 * build on both sides, so bit-for-bit). One Python launch.
 */
class NpyDtypeRoundTripTest {
    private static final List<DType> NUMPY_DTYPES = List.of(DType.BOOL, DType.INT8, DType.INT16, DType.INT32, DType.INT64,
            DType.UINT8, DType.UINT16, DType.UINT32, DType.UINT64, DType.FLOAT16, DType.FLOAT32, DType.FLOAT64,
            DType.COMPLEX64, DType.COMPLEX128);

    private static final String SCRIPT = """
            import sys, os, warnings
            import numpy as np, torch
            warnings.simplefilter('ignore')
            folder = sys.argv[1]
            for dt in sys.argv[2].split(','):
                d = np.dtype(dt)
                if d == np.bool_:
                    a = np.array([[True, False, True], [False, False, True]])
                elif d.kind == 'u':
                    a = np.array([[0, 1, 7], [100, 200, 255]]).astype(d)
                elif d.kind == 'i':
                    a = np.array([[-3, -2, -1], [0, 11, 127]]).astype(d)
                elif d.kind == 'f':
                    a = np.array([[-1.5, 0.1, 2.25], [1000.0, -7.0, 3.14159]]).astype(d)
                else:
                    a = np.array([[1 + 2j, -0.5 + 0.25j, 3 - 1j], [0, 2j, -1]]).astype(d)
                np.save(os.path.join(folder, dt + '.npy'), a)
                try:
                    t = torch.from_numpy(np.load(os.path.join(folder, dt + '.npy')))
                except TypeError as e:
                    print(dt + '\\trefused\\t-\\t')
                    continue
                try:
                    r = t * t + t
                except (RuntimeError, NotImplementedError) as e:
                    # torch 2.3+ shares uint16/32/64 but lacks most kernels: '"add_stub" not implemented for 'UInt16''
                    print('\\t'.join([dt, str(t.dtype).replace('torch.', ''), 'error',
                                     str(e).strip().split('\\n')[0].replace('\\t', ' ')]))
                    continue
                out = torch.view_as_real(r) if r.is_complex() else r
                vals = ' '.join(repr(float(x)) for x in out.to(torch.float64).reshape(-1).tolist())
                print('\\t'.join([dt, str(t.dtype).replace('torch.', ''), str(r.dtype).replace('torch.', ''), vals]))
            """;

    /** What PyTorch gave: its dtype, t * t + t's dtype and values, or resultDtype "error" and its message. */
    record Expected(String dtype, String resultDtype, double[] values, String error) {
    }

    @TestFactory
    Stream<DynamicTest> npyFromNumpyComputesLikeTorch(@TempDir Path dir) {
        String names = String.join(",", NUMPY_DTYPES.stream().map(DType::numpyName).toList());
        Map<String, Expected> expected = new HashMap<>();
        Python oracle = Python.torch(Torch.version()).orElseGet(() -> org.junit.jupiter.api.Assumptions.abort(Python.noTorchReason(Torch.version())));
        for (String line : oracle.run(SCRIPT, dir.toString(), names).split("\n")) {
            if (!line.isBlank()) {
                String[] f = line.split("\t", -1);
                expected.put(f[0], f[2].equals("error") ? new Expected(f[1], f[2], null, f[3])
                        : new Expected(f[1], f[2], Python.parseDoubles(f[3]), null));
            }
        }
        assertEquals(NUMPY_DTYPES.size(), expected.size());
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dtype : NUMPY_DTYPES) {
            Path file = dir.resolve(dtype.numpyName() + ".npy");
            Expected e = expected.get(dtype.numpyName());
            tests.add(DynamicTest.dynamicTest(dtype.numpyName() + " NpyFile.read", () -> {
                try (NDArray array = NpyFile.read(file)) {
                    check(dtype, array, e);
                }
            }));
            tests.add(DynamicTest.dynamicTest(dtype.numpyName() + " NpyFile.mmap copy-on-write", () -> {
                try (NDArray array = NpyFile.mmap(file, MmapMode.COPY_ON_WRITE)) {
                    check(dtype, array, e);
                }
            }));
        }
        return tests.stream();
    }

    private static void check(DType dtype, NDArray array, Expected e) throws IOException {
        assertEquals(dtype, array.dtype());
        if (!Torch.supports(dtype)) {
            assertEquals("refused", e.dtype(), "torch 1.13's from_numpy refuses " + dtype + " as well");
            assertRefused(BridgeException.class, () -> Bridge.fromArray(array), dtype.numpyName(), "libtorch 2.3", "astype");
            return;
        }
        assumeTrue(!e.dtype().equals("refused"), "the Python side (torch 1.13) cannot check " + dtype + " on libtorch "
                + Torch.version());
        if (e.resultDtype().equals("error")) {
            // PyTorch shares the dtype but cannot compute with it: neither can we, with libtorch's own words.
            try (Tensor t = Bridge.fromArray(array)) {
                assertEquals(firstElementAddress(array), t.dataAddress(), "shared, not copied");
                assertEquals(e.dtype(), t.dtype().torchName(), "dtype as torch.from_numpy gives it");
                TorchException thrown = assertThrows(TorchException.class, () -> {
                    try (Tensor square = t.mul(t); Tensor r = Op.callTensor("aten::add", square, t)) {
                        fail("PyTorch " + Torch.version() + " refuses t * t + t for " + dtype + " (" + e.error()
                                + ") but tensorbridge computed " + r.dtype().torchName());
                    }
                });
                assertTrue(thrown.getMessage().contains(e.error()), "PyTorch says: " + e.error() + "\nwe say: "
                        + thrown.getMessage());
            }
            return;
        }
        try (Tensor t = Bridge.fromArray(array); Tensor square = t.mul(t); Tensor r = Op.callTensor("aten::add", square, t)) {
            assertEquals(firstElementAddress(array), t.dataAddress(), "shared, not copied");
            assertEquals(e.dtype(), t.dtype().torchName(), "dtype as torch.from_numpy gives it");
            assertEquals(e.resultDtype(), r.dtype().torchName());
            assertArrayEquals(e.values(), values(r), "t * t + t as computed by PyTorch");
        }
    }
}
