package org.tensorbridge.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.testkit.ScopePerTest;

/** {@code toString} writes what PyTorch's {@code str(tensor)} writes, asked of PyTorch in the same run. */
@ExtendWith(ScopePerTest.class)
class TensorFormatTest {

    @Test
    void toStringMatchesPyTorch() {
        TorchOracle oracle = new TorchOracle();
        Map<String, Supplier<Tensor>> cases = new LinkedHashMap<>();
        Torch.manualSeed(7);
        define(oracle, cases, "fractions", Tensor.of(new float[] {0.1f, 2.5f, -3.25f}));
        define(oracle, cases, "whole", Tensor.of(new float[] {1, 2, -3, 0}));
        define(oracle, cases, "scientific", Tensor.of(new double[] {1e-5, 1.0, 12345.678}));
        define(oracle, cases, "huge_whole", Tensor.of(new double[] {1, 2e9}));
        define(oracle, cases, "nonfinite", Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0.0f, 1.5f}));
        define(oracle, cases, "matrix", Tensor.randn(TensorOptions.of(DType.FLOAT64), 3, 4));
        define(oracle, cases, "cube", Tensor.arange(24).reshape(2, 3, 4));
        define(oracle, cases, "wide", Tensor.arange(0, 30, 1, TensorOptions.of(DType.FLOAT32)).mul(1.5));
        define(oracle, cases, "summarised_matrix", Tensor.randn(40, 50));
        define(oracle, cases, "summarised_vector", Tensor.arange(2000));
        define(oracle, cases, "summarised_cube", Tensor.rand(12, 10, 11));
        define(oracle, cases, "int32", Tensor.of(new int[] {-7, 0, 123456}));
        define(oracle, cases, "bool", Tensor.of(new int[] {1, 0, 1}).to(DType.BOOL));
        define(oracle, cases, "uint8", Tensor.of(new int[] {0, 255, 17}).to(DType.UINT8));
        define(oracle, cases, "half", Tensor.of(new float[] {0.5f, 1.25f, 65504f}).to(DType.FLOAT16));
        define(oracle, cases, "bfloat16", Tensor.of(new float[] {0.1f, 3f}).to(DType.BFLOAT16));
        define(oracle, cases, "scalar", Tensor.scalarTensor(3.5, TensorOptions.DEFAULT));
        define(oracle, cases, "empty_rows", Tensor.zeros(0, 3));
        define(oracle, cases, "empty_long", Tensor.zeros(TensorOptions.of(DType.INT64), 0));
        // autograd state: a leaf that requires grad, and a result with its grad_fn
        Tensor leaf = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        oracle.input("leaf", leaf, true).expect("leaf_str", "str(leaf)");
        cases.put("leaf_str", () -> leaf);
        oracle.expect("product_str", "str(leaf * leaf)");
        cases.put("product_str", () -> leaf.mul(leaf));
        // complex, built the same way on both sides
        Tensor re = Tensor.of(new float[] {1.5f, -2f, 0f});
        Tensor im = Tensor.of(new float[] {-0.25f, 3f, 1e-6f});
        oracle.input("re", re).input("im", im).expect("complex_str", "str(torch.complex(re, im))");
        cases.put("complex_str", () -> Op.callTensor("aten::complex", re, im));

        TorchOracle.Results results = oracle.run();
        for (var entry : cases.entrySet()) {
            String expected = results.get(entry.getKey()).text();
            assertEquals(expected, entry.getValue().get().toString(), entry.getKey());
        }
    }

    private static void define(TorchOracle oracle, Map<String, Supplier<Tensor>> cases, String name, Tensor tensor) {
        oracle.input(name, tensor).expect(name + "_str", "str(" + name + ")");
        cases.put(name + "_str", () -> tensor);
    }

    @Test
    void aClosedTensorSaysSo() {
        Tensor t = Tensor.ones(2);
        t.close();
        assertEquals("Tensor(closed)", t.toString());
        try (Scope scope = Scope.open()) {
            assertEquals(scope.size(), 0);
        }
    }
}
