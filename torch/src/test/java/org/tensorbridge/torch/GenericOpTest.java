package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tensorbridge.torch.TorchOracle.c;
import static org.tensorbridge.torch.TorchOracle.exact;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tensorbridge.torch.TorchOracle.Case;
import org.tensorbridge.torch.TorchOracle.Results;
import org.tensorbridge.torch.internal.OpHandle;

/**
 * Op: any ATen operator by name (explicit overloads, overload resolution by the arguments, keyword
 * arguments, Op.DEFAULT, None), and OpResult with several / list / int / float / bool returns — values
 * checked against PyTorch, schemas against PyTorch's own schema registry.
 */
class GenericOpTest {
    private static final List<Tensor> INPUTS = new ArrayList<>();
    private static Tensor x, y, mask, idx;
    private static Results torch;

    private static Tensor keep(Tensor t) {
        INPUTS.add(t);
        return t;
    }

    private static List<Tensor> all(OpResult r) {
        List<Tensor> out = new ArrayList<>();
        try (r) {
            for (int i = 0; i < r.size(); i++) {
                out.add(r.takeTensor(i));
            }
        }
        return out;
    }

    static final List<Case> CASES = List.of(
            c("cumsum_by_name", "torch.cumsum(x, 1)", () -> Op.callTensor("aten::cumsum", x, 1L)),
            c("cumsum_kw_dtype", "torch.cumsum(x, 0, dtype=torch.float64)",
                    () -> Op.of("aten::cumsum").apply(x, 0L, Op.kw("dtype", DType.FLOAT64))),
            c("softmax_kw_none", "torch.softmax(x, 1)", () -> Op.of("aten::softmax.int").apply(x, 1L, Op.kw("dtype", null))),
            c("softmax_default", "torch.softmax(x, 0)", () -> Op.of("aten::softmax.int").apply(x, 0L, Op.DEFAULT)),
            c("logsumexp_keepdim", "torch.logsumexp(x, [1], keepdim=True)",
                    () -> Op.callTensor("aten::logsumexp", x, new long[] {1}, true)),
            c("mean_dim_kw_keepdim", "torch.mean(x, [0], keepdim=True)",
                    () -> Op.of("aten::mean.dim").apply(x, new long[] {0}, Op.kw("keepdim", true))),
            c("add_scalar_overload", "x + 2", () -> Op.callTensor("aten::add", x, 2L)),
            c("add_kw_alpha", "torch.add(x, y, alpha=3)", () -> Op.callTensor("aten::add", x, y, Op.kw("alpha", 3))),
            c("clamp_none_min", "torch.clamp(x, max=0.5)", () -> Op.of("aten::clamp").apply(x, null, 0.5)),
            c("where", "torch.where(mask, x, y)", () -> Op.callTensor("aten::where", mask, x, y)),
            exact("index_optional_tensor_list", "x[:, idx]",
                    () -> Op.of("aten::index.Tensor").apply(x, new Tensor[] {null, idx})),
            c("max_dim_two_results", "torch.max(x, 1)", () -> all(Op.call("aten::max", x, 1L))),
            c("min_dim_keepdim", "torch.min(x, 0, keepdim=True)", () -> all(Op.call("aten::min", x, 0L, true))),
            c("sort_descending", "torch.sort(x, 1, True)", () -> all(Op.call("aten::sort", x, 1L, true))),
            c("sort_kw_descending", "torch.sort(x, descending=True)",
                    () -> all(Op.of("aten::sort").call(x, Op.kw("descending", true)))),
            c("topk", "torch.topk(x, 2)", () -> all(Op.call("aten::topk", x, 2L))),
            exact("unbind_list", "torch.unbind(x, 1)", () -> {
                try (OpResult r = Op.call("aten::unbind", x, 1L)) {
                    return r.takeTensors(0);
                }
            }),
            exact("split_sizes_list", "torch.split(x, [1, 2], 1)", () -> {
                try (OpResult r = Op.call("aten::split", x, new long[] {1, 2}, 1L)) {
                    return r.takeTensors(0);
                }
            }),
            exact("size_int_return", "x.size(1)", () -> {
                try (OpResult r = Op.call("aten::size", x, 1L)) {
                    assertInstanceOf(Long.class, r.get(0));
                    return r.longValue(0);
                }
            }),
            c("item_double_return", "x.sum().item()", () -> {
                try (Tensor s = x.sum(); OpResult r = Op.call("aten::item", s)) {
                    assertInstanceOf(Double.class, r.get(0));
                    return r.doubleValue(0);
                }
            }),
            exact("equal_bool_return", "torch.equal(x, x)", () -> {
                try (OpResult r = Op.call("aten::equal", x, x)) {
                    return r.boolValue(0);
                }
            }),
            exact("is_floating_point_bool_return", "torch.is_floating_point(mask)", () -> {
                try (OpResult r = Op.call("aten::is_floating_point", mask)) {
                    return r.boolValue(0);
                }
            }),
            // Python's torch.ops.aten.sum(x, 1) resolves to sum.dim_IntList. Op.call must not bind the 1 to the
            // keyword-only dtype of the default overload aten::sum(Tensor self, *, ScalarType? dtype=None).
            c("call_sum_positional_dim", "torch.ops.aten.sum(x, 1)", () -> Op.callTensor("aten::sum", x, 1L)));

    @BeforeAll
    static void computeWithPyTorch() {
        x = keep(TorchOracle.random(41, DType.FLOAT32, 4, 3));
        y = keep(TorchOracle.random(42, DType.FLOAT32, 4, 3));
        try (Tensor gt = x.gt(y)) {
            mask = keep(gt.clone());
        }
        idx = keep(TorchOracle.of(DType.INT64, new long[] {2}, 2, 0));
        TorchOracle oracle = new TorchOracle().input("x", x).input("y", y).input("mask", mask).input("idx", idx)
                .expect(CASES)
                .exec("""
                        def schema(name, overload):
                            for s in torch._C._jit_get_schemas_for_operator(name):
                                if s.overload_name == overload:
                                    return str(s)
                            return 'MISSING'
                        """);
        for (String[] op : SCHEMAS) {
            oracle.expect("schema " + op[0] + "." + op[1], "schema('" + op[0] + "', '" + op[1] + "')");
        }
        torch = oracle.run();
    }

    private static final String[][] SCHEMAS = {
            {"aten::add", "Tensor"}, {"aten::softmax", "int"}, {"aten::sort", ""}, {"aten::max", "dim"},
            {"aten::cumsum", ""}, {"aten::index", "Tensor"}, {"aten::split", "Tensor"}};

    @AfterAll
    static void close() {
        INPUTS.forEach(Tensor::close);
        INPUTS.clear();
    }

    @TestFactory
    Stream<DynamicTest> byNameCallsMatchPyTorch() {
        return TorchOracle.tests(torch, CASES);
    }

    @Test
    void schemasMatchPyTorchsRegistry() {
        for (String[] op : SCHEMAS) {
            String name = op[0] + "." + op[1];
            assertEquals(torch.text("schema " + name), Op.of(op[0], op[1]).schema(), name);
        }
    }

    @Test
    void argumentsDescribeTheSchema() {
        List<OpHandle.Argument> args = Op.of("aten::add.Tensor").arguments();
        assertEquals(List.of("self", "other", "alpha"), args.stream().map(OpHandle.Argument::name).toList());
        assertEquals(List.of("Tensor", "Tensor", "Scalar"), args.stream().map(OpHandle.Argument::type).toList());
        assertFalse(args.get(1).hasDefault());
        assertTrue(args.get(2).hasDefault());
        assertTrue(args.get(2).keywordOnly());
        assertFalse(args.get(0).keywordOnly());
    }

    @Test
    void opsAreCachedAndNamed() {
        Op add = Op.of("aten::add.Tensor");
        assertSame(add, Op.of("aten::add", "Tensor"));
        assertSame(add, Op.of("add.Tensor"), "the aten:: namespace may be left out");
        assertEquals("aten::add.Tensor", add.name());
        assertEquals("aten::relu", Op.of("aten::relu").name());
        assertEquals("aten::add.Tensor", add.toString());
        assertEquals("Op.DEFAULT", Op.DEFAULT.toString());
    }

    @Test
    void opResultOwnershipAndTypedAccess() {
        Tensor values;
        Tensor indices;
        try (OpResult r = Op.call("aten::max", x, 1L)) {
            assertEquals(2, r.size());
            values = r.takeTensor(0);
            indices = r.tensor(1);
            assertNull(r.get(0), "a taken tensor leaves the result");
            IllegalStateException wrong = assertThrows(IllegalStateException.class, () -> r.longValue(1));
            assertTrue(wrong.getMessage().contains("Tensor") && wrong.getMessage().contains("Long"), wrong.getMessage());
            IllegalStateException taken = assertThrows(IllegalStateException.class, () -> r.tensor(0));
            assertTrue(taken.getMessage().contains("already taken"), taken.getMessage());
        }
        assertTrue(indices.isClosed(), "closing the result closes the tensors it still holds");
        assertFalse(values.isClosed(), "a taken tensor belongs to the caller");
        assertEquals(4, values.numel());
        values.close();
    }

    @Test
    void typedReductionUsesTheSameOperatorAsByName() {
        try (Tensor.ValuesIndices typed = x.max(1, false); OpResult byName = Op.of("aten::max.dim").call(x, 1L)) {
            assertTrue(typed.values().equal(byName.tensor(0)));
            assertTrue(typed.indices().equal(byName.tensor(1)));
        }
    }
}
