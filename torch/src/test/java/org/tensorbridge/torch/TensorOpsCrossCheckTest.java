package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.tensorbridge.torch.TorchOracle.c;
import static org.tensorbridge.torch.TorchOracle.exact;
import static org.tensorbridge.torch.TorchOracle.shape;
import static org.tensorbridge.torch.TorchOracle.tol;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tensorbridge.torch.TorchOracle.Case;
import org.tensorbridge.torch.TorchOracle.Results;

/**
 * Arithmetic (broadcasting, scalars, type promotion), math functions, comparisons, linear algebra,
 * reductions, dtype conversion, clone, copyFrom and item, each checked against real PyTorch evaluating the
 * same expression on the same inputs (one Python launch for the class).
 */
class TensorOpsCrossCheckTest {
    private static final List<Tensor> INPUTS = new ArrayList<>();
    private static Tensor a, b, row, col, pos, a64, ia, ib, m1, m2, b1, b2, v1, v2, special;
    private static Results torch;

    private static final long[] ALL = {0, 1};

    private static Tensor keep(Tensor t) {
        INPUTS.add(t);
        return t;
    }

    static final List<Case> ARITHMETIC = List.of(
            c("add", "a + b", () -> a.add(b)),
            c("add_broadcast_row", "a + row", () -> a.add(row)),
            c("add_broadcast_col", "a + col", () -> a.add(col)),
            c("add_outer", "col + row", () -> col.add(row)),
            c("add_alpha", "torch.add(a, b, alpha=2.5)", () -> a.add(b, 2.5)),
            c("add_scalar", "a + 1.5", () -> a.add(1.5)),
            c("sub", "a - b", () -> a.sub(b)),
            c("sub_broadcast", "a - row", () -> a.sub(row)),
            c("sub_scalar", "a - 0.25", () -> a.sub(0.25)),
            c("mul", "a * b", () -> a.mul(b)),
            c("mul_broadcast", "a * col", () -> a.mul(col)),
            c("mul_scalar", "a * -3.0", () -> a.mul(-3.0)),
            c("div", "a / pos", () -> a.div(pos)),
            c("div_scalar", "a / 7.0", () -> a.div(7.0)),
            c("div_int_true", "torch.div(ia, ib)", () -> ia.div(ib)),
            c("pow_scalar", "pos ** 1.5", () -> pos.pow(1.5)),
            c("pow_tensor", "pos ** b", () -> pos.pow(b)),
            c("neg", "-a", () -> a.neg()),
            exact("int_add", "ia + ib", () -> ia.add(ib)),
            exact("int_mul", "ia * ib", () -> ia.mul(ib)),
            exact("int_sub_broadcast", "ia - ib[0]", () -> {
                try (Tensor first = ib.select(0, 0)) {
                    return ia.sub(first);
                }
            }),
            c("int_plus_float_scalar", "ia + 2.0", () -> ia.add(2.0)),
            c("promote_int_float", "a + ia", () -> a.add(ia)),
            c("promote_f32_f64", "a64 + a", () -> a64.add(a)),
            c("float64_mul", "a64 * a64", () -> a64.mul(a64)),
            c("add_in_place", "a.clone().add_(b)", () -> {
                Tensor t = a.clone();
                t.add_(b);
                return t;
            }),
            c("mul_in_place", "a.clone().mul_(0.5)", () -> a.clone().mul_(0.5)));

    static final List<Case> MATH = List.of(
            c("abs", "a.abs()", () -> a.abs()),
            c("sqrt", "pos.sqrt()", () -> pos.sqrt()),
            c("sqrt_negative_nan", "a.sqrt()", () -> a.sqrt()),
            c("exp", "a.exp()", () -> a.exp()),
            c("log", "pos.log()", () -> pos.log()),
            c("log_special", "special.log()", () -> special.log()),
            c("exp_special", "special.exp()", () -> special.exp()),
            c("sin", "a.sin()", () -> a.sin()),
            c("cos", "a.cos()", () -> a.cos()),
            c("tanh", "a.tanh()", () -> a.tanh()),
            c("sigmoid", "a.sigmoid()", () -> a.sigmoid()),
            c("relu", "a.relu()", () -> a.relu()),
            c("clamp", "a.clamp(-0.5, 0.5)", () -> a.clamp(-0.5, 0.5)),
            c("sigmoid_f64", "a64.sigmoid()", () -> a64.sigmoid()));

    static final List<Case> COMPARISONS = List.of(
            exact("eq", "ia == ib", () -> ia.eq(ib)),
            exact("ne", "ia != ib", () -> ia.ne(ib)),
            exact("lt", "ia < ib", () -> ia.lt(ib)),
            exact("le", "ia <= ib", () -> ia.le(ib)),
            exact("gt", "ia > ib", () -> ia.gt(ib)),
            exact("ge", "ia >= ib", () -> ia.ge(ib)),
            exact("eq_scalar", "ia == 2", () -> ia.eq(2)),
            exact("lt_scalar", "a < 0.0", () -> a.lt(0.0)),
            exact("gt_scalar", "a > 0.5", () -> a.gt(0.5)),
            exact("gt_broadcast", "a > row", () -> a.gt(row)),
            exact("eq_nan", "special == special", () -> special.eq(special)),
            exact("equal_same", "torch.equal(a, a.clone())", () -> {
                try (Tensor copy = a.clone()) {
                    return a.equal(copy);
                }
            }),
            exact("equal_different", "torch.equal(a, b)", () -> a.equal(b)),
            exact("allclose_near", "torch.allclose(a, a + 1e-7, 1e-5, 1e-6)", () -> {
                try (Tensor near = a.add(1e-7)) {
                    return a.allclose(near, 1e-5, 1e-6);
                }
            }),
            exact("allclose_far", "torch.allclose(a, b, 1e-5, 1e-6)", () -> a.allclose(b, 1e-5, 1e-6)));

    static final List<Case> LINALG = List.of(
            c("mm", "m1.mm(m2)", () -> m1.mm(m2)),
            c("matmul_2d", "m1 @ m2", () -> m1.matmul(m2)),
            c("matmul_matrix_vector", "a @ row", () -> a.matmul(row)),
            c("matmul_batched_broadcast", "b1 @ b2", () -> b1.matmul(b2)),
            c("bmm", "torch.bmm(b1, b2)", () -> b1.bmm(b2)),
            c("dot", "torch.dot(v1, v2)", () -> v1.dot(v2)),
            exact("t", "a.t()", () -> a.t()),
            c("mm_transposed_operand", "a.t().mm(b)", () -> {
                try (Tensor at = a.t()) {
                    return at.mm(b);
                }
            }));

    static final List<Case> REDUCTIONS = List.of(
            c("sum", "a.sum()", () -> a.sum()),
            c("sum_dim1", "a.sum(1)", () -> a.sum(new long[] {1}, false)),
            c("sum_dim0_keep", "a.sum(0, keepdim=True)", () -> a.sum(new long[] {0}, true)),
            c("sum_all_dims", "a.sum((0, 1))", () -> a.sum(ALL, false)),
            c("sum_neg_dim_keep", "b1.sum(-1, keepdim=True)", () -> b1.sum(new long[] {-1}, true)),
            exact("sum_int", "ia.sum()", () -> ia.sum()),
            c("mean", "a.mean()", () -> a.mean()),
            c("mean_dim1_keep", "a.mean(1, keepdim=True)", () -> a.mean(new long[] {1}, true)),
            c("mean_dims", "b1.mean((0, 2))", () -> b1.mean(new long[] {0, 2}, false)),
            c("std_unbiased", "a.std(1)", () -> a.std(new long[] {1}, 1, false)),
            c("std_biased_keep", "a.std(0, unbiased=False, keepdim=True)", () -> a.std(new long[] {0}, 0, true)),
            c("var_unbiased_keep", "a.var(1, keepdim=True)", () -> a.var(new long[] {1}, 1, true)),
            c("var_all_biased", "a.var((0, 1), unbiased=False)", () -> a.var(ALL, 0, false)),
            c("max", "a.max()", () -> a.max()),
            c("min", "a.min()", () -> a.min()),
            c("max_dim", "a.max(1)", () -> a.max(1, false)),
            c("max_dim_keep", "a.max(0, keepdim=True)", () -> a.max(0, true)),
            c("min_dim_keep", "a.min(1, keepdim=True)", () -> a.min(1, true)),
            c("min_dim_3d", "b1.min(2)", () -> b1.min(2, false)),
            exact("argmax", "a.argmax()", () -> a.argmax()),
            exact("argmax_dim", "a.argmax(1)", () -> a.argmax(1, false)),
            exact("argmax_dim_keep", "a.argmax(0, keepdim=True)", () -> a.argmax(0, true)));

    static final List<Case> CONVERSIONS = List.of(
            exact("to_float64", "a.to(torch.float64)", () -> a.to(DType.FLOAT64)),
            exact("to_float16", "a.to(torch.float16)", () -> a.to(DType.FLOAT16)),
            exact("to_bfloat16", "a.to(torch.bfloat16)", () -> a.to(DType.BFLOAT16)),
            exact("to_int32", "(a * 10).to(torch.int32)", () -> {
                try (Tensor scaled = a.mul(10.0)) {
                    return scaled.to(DType.INT32);
                }
            }),
            exact("to_bool", "a.to(torch.bool)", () -> a.to(DType.BOOL)),
            exact("int_to_float32", "ia.to(torch.float32)", () -> ia.to(DType.FLOAT32)),
            exact("int_to_uint8_wraps", "ia.to(torch.uint8)", () -> ia.to(DType.UINT8)),
            exact("int_to_int8", "ia.to(torch.int8)", () -> ia.to(DType.INT8)),
            exact("int_to_int16", "ia.to(torch.int16)", () -> ia.to(DType.INT16)),
            exact("float64_to_float32", "a64.to(torch.float32)", () -> a64.to(DType.FLOAT32)),
            exact("clone", "a.clone()", () -> a.clone()),
            exact("copy_from_broadcast", "torch.zeros(3, 4).copy_(row)", () -> Tensor.zeros(3, 4).copy_(row)),
            exact("copy_from_converts_dtype", "torch.zeros(3, 4, dtype=torch.int64).copy_(a * 10)", () -> {
                try (Tensor scaled = a.mul(10.0)) {
                    return Tensor.zeros(TensorOptions.of(DType.INT64), 3, 4).copy_(scaled);
                }
            }),
            tol("item_sum", "a.sum().item()", 1e-6, 1e-6, () -> {
                try (Tensor s = a.sum()) {
                    return s.item();
                }
            }),
            exact("item_long", "ia.sum().item()", () -> {
                try (Tensor s = ia.sum()) {
                    return s.itemLong();
                }
            }),
            exact("item_bool", "bool((a > 100).any())", () -> {
                try (Tensor gt = a.gt(100.0); Tensor m = gt.max()) {
                    return m.item() != 0;
                }
            }));

    @BeforeAll
    static void computeWithPyTorch() {
        a = keep(TorchOracle.random(1, DType.FLOAT32, 3, 4));
        b = keep(TorchOracle.random(2, DType.FLOAT32, 3, 4));
        row = keep(TorchOracle.random(3, DType.FLOAT32, 4));
        col = keep(TorchOracle.random(4, DType.FLOAT32, 3, 1));
        try (Tensor abs = a.abs()) {
            pos = keep(abs.add(0.5));
        }
        a64 = keep(TorchOracle.random(5, DType.FLOAT64, 3, 4));
        ia = keep(TorchOracle.randomInts(6, -5, 6, DType.INT64, 3, 4));
        ib = keep(TorchOracle.randomInts(7, 1, 5, DType.INT64, 3, 4));
        m1 = keep(TorchOracle.random(8, DType.FLOAT32, 3, 5));
        m2 = keep(TorchOracle.random(9, DType.FLOAT32, 5, 2));
        b1 = keep(TorchOracle.random(10, DType.FLOAT32, 2, 3, 4));
        b2 = keep(TorchOracle.random(11, DType.FLOAT32, 2, 4, 5));
        v1 = keep(TorchOracle.random(12, DType.FLOAT32, 5));
        v2 = keep(TorchOracle.random(13, DType.FLOAT32, 5));
        special = keep(TorchOracle.of(DType.FLOAT32, shape(6), 0, -1, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, 1e-30));
        TorchOracle oracle = new TorchOracle();
        String[] names = {"a", "b", "row", "col", "pos", "a64", "ia", "ib", "m1", "m2", "b1", "b2", "v1", "v2", "special"};
        for (int i = 0; i < names.length; i++) {
            oracle.input(names[i], INPUTS.get(i));
        }
        torch = oracle.expect(ARITHMETIC).expect(MATH).expect(COMPARISONS).expect(LINALG).expect(REDUCTIONS)
                .expect(CONVERSIONS).run();
    }

    @AfterAll
    static void close() {
        INPUTS.forEach(Tensor::close);
        INPUTS.clear();
    }

    @TestFactory
    Stream<DynamicTest> arithmetic() {
        return TorchOracle.tests(torch, ARITHMETIC);
    }

    @TestFactory
    Stream<DynamicTest> math() {
        return TorchOracle.tests(torch, MATH);
    }

    @TestFactory
    Stream<DynamicTest> comparisons() {
        return TorchOracle.tests(torch, COMPARISONS);
    }

    @TestFactory
    Stream<DynamicTest> linearAlgebra() {
        return TorchOracle.tests(torch, LINALG);
    }

    @TestFactory
    Stream<DynamicTest> reductions() {
        return TorchOracle.tests(torch, REDUCTIONS);
    }

    @TestFactory
    Stream<DynamicTest> conversionsAndCopies() {
        return TorchOracle.tests(torch, CONVERSIONS);
    }
}
