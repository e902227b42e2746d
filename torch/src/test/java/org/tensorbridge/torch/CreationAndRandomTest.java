package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tensorbridge.torch.TorchOracle.exact;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tensorbridge.torch.TorchOracle.Case;
import org.tensorbridge.torch.TorchOracle.Results;

/**
 * Creation operators and libtorch's random generator: values, dtype, shape and strides vs PyTorch.
 * Seeded draws must match {@code torch.manual_seed(s); torch.randn(...)} bit for bit (same CPU generator).
 */
class CreationAndRandomTest {
    private static Results torch;
    private static final TensorOptions F64 = TensorOptions.of(DType.FLOAT64);
    private static final TensorOptions I64 = TensorOptions.of(DType.INT64);

    private static Object seeded(long seed, java.util.function.Supplier<Object> draw) {
        Torch.manualSeed(seed);
        return draw.get();
    }

    static final List<Case> CREATION = List.of(
            exact("zeros", "torch.zeros(2, 3)", () -> Tensor.zeros(2, 3)),
            exact("zeros_int64", "torch.zeros(2, 3, dtype=torch.int64)", () -> Tensor.zeros(I64, 2, 3)),
            exact("zeros_scalar", "torch.zeros(())", () -> Tensor.zeros()),
            exact("ones", "torch.ones(4)", () -> Tensor.ones(4)),
            exact("ones_bool", "torch.ones(2, 2, dtype=torch.bool)", () -> Tensor.ones(TensorOptions.of(DType.BOOL), 2, 2)),
            exact("ones_requires_grad", "torch.ones(3, requires_grad=True)",
                    () -> Tensor.ones(TensorOptions.DEFAULT.requiresGrad(true), 3)),
            exact("full", "torch.full((2, 2), 2.5)", () -> Tensor.full(2.5, 2, 2)),
            exact("full_int32", "torch.full((3,), 7, dtype=torch.int32)", () -> Tensor.full(TensorOptions.of(DType.INT32), 7, 3)),
            exact("full_int64_large", "torch.full((1,), 2**40 + 1, dtype=torch.int64)",
                    () -> Tensor.full(I64, Math.pow(2, 40) + 1, 1)),
            exact("full_float64", "torch.full((2,), 0.1, dtype=torch.float64)", () -> Tensor.full(F64, 0.1, 2)),
            exact("scalar_tensor", "torch.tensor(3.5)", () -> Tensor.scalarTensor(3.5, TensorOptions.DEFAULT)),
            exact("arange", "torch.arange(5)", () -> Tensor.arange(5)),
            exact("arange_float_step", "torch.arange(0, 1, 0.25)", () -> Tensor.arange(0, 1, 0.25, TensorOptions.DEFAULT)),
            exact("arange_float64", "torch.arange(-3, 3, 0.5, dtype=torch.float64)", () -> Tensor.arange(-3, 3, 0.5, F64)),
            exact("arange_int32", "torch.arange(0, 10, 3, dtype=torch.int32)",
                    () -> Tensor.arange(0, 10, 3, TensorOptions.of(DType.INT32))),
            exact("arange_negative_step", "torch.arange(5, 0, -1, dtype=torch.int64)", () -> Tensor.arange(5, 0, -1, I64)),
            exact("linspace", "torch.linspace(0, 1, 5)", () -> Tensor.linspace(0, 1, 5, TensorOptions.DEFAULT)),
            exact("linspace_float64", "torch.linspace(-1, 1, 7, dtype=torch.float64)", () -> Tensor.linspace(-1, 1, 7, F64)),
            exact("eye", "torch.eye(3)", () -> Tensor.eye(3, TensorOptions.DEFAULT)),
            exact("eye_int64", "torch.eye(4, dtype=torch.int64)", () -> Tensor.eye(4, I64)));

    static final List<Case> RANDOM = List.of(
            exact("randn_seed42", "seeded(42, lambda: torch.randn(3, 4))", () -> seeded(42, () -> Tensor.randn(3, 4))),
            exact("randn_vectorised_path", "seeded(1234, lambda: torch.randn(100))", () -> seeded(1234, () -> Tensor.randn(100))),
            exact("randn_float64", "seeded(5, lambda: torch.randn(2, 9, dtype=torch.float64))",
                    () -> seeded(5, () -> Tensor.randn(F64, 2, 9))),
            exact("rand_seed0", "seeded(0, lambda: torch.rand(2, 5))", () -> seeded(0, () -> Tensor.rand(2, 5))),
            exact("rand_float64", "seeded(3, lambda: torch.rand(20, dtype=torch.float64))", () -> seeded(3, () -> Tensor.rand(F64, 20))),
            exact("randint", "seeded(7, lambda: torch.randint(-5, 5, (4, 4)))", () -> seeded(7, () -> Tensor.randint(-5, 5, I64, 4, 4))),
            exact("randint_int32", "seeded(8, lambda: torch.randint(0, 100, (6,), dtype=torch.int32))",
                    () -> seeded(8, () -> Tensor.randint(0, 100, TensorOptions.of(DType.INT32), 6))),
            exact("sequence_after_seed", "seeded(99, lambda: (torch.randn(5), torch.rand(3), torch.randint(0, 9, (4,))))",
                    () -> seeded(99, () -> List.of(Tensor.randn(5), Tensor.rand(3), Tensor.randint(0, 9, I64, 4)))));

    @BeforeAll
    static void computeWithPyTorch() {
        torch = new TorchOracle().expect(CREATION).expect(RANDOM).run();
    }

    @TestFactory
    Stream<DynamicTest> creation() {
        return TorchOracle.layoutTests(torch, CREATION);
    }

    @TestFactory
    Stream<DynamicTest> seededRandomMatchesPyTorchExactly() {
        return TorchOracle.layoutTests(torch, RANDOM);
    }

    @Test
    void sameSeedSameValuesOtherSeedOtherValues() {
        Torch.manualSeed(2024);
        double[] first;
        try (Tensor t = Tensor.randn(50)) {
            first = t.toDoubleArray();
        }
        Torch.manualSeed(2024);
        try (Tensor t = Tensor.randn(50)) {
            assertArrayEquals(first, t.toDoubleArray());
        }
        Torch.manualSeed(2025);
        try (Tensor t = Tensor.randn(50)) {
            assertFalse(Arrays.equals(first, t.toDoubleArray()));
        }
    }

    @Test
    void randomValuesAreInRange() {
        try (Tensor r = Tensor.rand(1000); Tensor lo = r.min(); Tensor hi = r.max()) {
            assertTrue(lo.item() >= 0 && hi.item() < 1, "rand in [0, 1)");
        }
        try (Tensor r = Tensor.randint(3, 6, I64, 1000); Tensor lo = r.min(); Tensor hi = r.max()) {
            assertEquals(3, lo.itemLong());
            assertEquals(5, hi.itemLong());
        }
    }

    @Test
    void emptyHasShapeAndDtype() {
        try (Tensor e = Tensor.empty(F64, 3, 0, 2)) {
            assertArrayEquals(new long[] {3, 0, 2}, e.shape());
            assertEquals(DType.FLOAT64, e.dtype());
            assertEquals(0, e.numel());
            assertEquals(0, e.toDoubleArray().length);
        }
        try (Tensor e = Tensor.empty(4, 5)) {
            assertArrayEquals(new long[] {5, 1}, e.strides());
            assertEquals(DType.FLOAT32, e.dtype());
        }
    }
}
