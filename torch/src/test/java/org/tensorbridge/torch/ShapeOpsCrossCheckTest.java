package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

/**
 * Shape and indexing operators: resulting values, shapes AND strides, storage offsets and contiguity
 * compared with PyTorch (views must be views, exactly as in PyTorch). One Python launch.
 */
class ShapeOpsCrossCheckTest {
    private static final List<Tensor> INPUTS = new ArrayList<>();
    private static Tensor x, y, z, u, idx, gidx;
    private static Results torch;

    private static Tensor keep(Tensor t) {
        INPUTS.add(t);
        return t;
    }

    /** Applies two operations, closing the intermediate (its result stays valid: libtorch refcounts). */
    private static Tensor then(Tensor first, java.util.function.Function<Tensor, Tensor> second) {
        try (first) {
            return second.apply(first);
        }
    }

    static final List<Case> SHAPES = List.of(
            exact("view", "x.view(4, 6)", () -> x.view(4, 6)),
            exact("view_infer", "x.view(-1, 3)", () -> x.view(-1, 3)),
            exact("reshape_contiguous", "x.reshape(6, 4)", () -> x.reshape(6, 4)),
            exact("reshape_of_transposed_copies", "x.transpose(0, 2).reshape(-1)",
                    () -> then(x.transpose(0, 2), t -> t.reshape(-1))),
            exact("permute", "x.permute(2, 0, 1)", () -> x.permute(2, 0, 1)),
            exact("transpose", "x.transpose(0, 2)", () -> x.transpose(0, 2)),
            exact("transpose_negative", "x.transpose(-1, -2)", () -> x.transpose(-1, -2)),
            exact("contiguous_of_permuted", "x.permute(2, 0, 1).contiguous()",
                    () -> then(x.permute(2, 0, 1), Tensor::contiguous)),
            exact("contiguous_noop", "x.contiguous()", () -> x.contiguous()),
            exact("clone_preserves_strides", "x.transpose(0, 2).clone()", () -> then(x.transpose(0, 2), Tensor::clone)),
            exact("squeeze", "u.squeeze()", () -> u.squeeze()),
            exact("squeeze_dim", "u.squeeze(1)", () -> u.squeeze(1)),
            exact("squeeze_dim_not_one", "u.squeeze(0)", () -> u.squeeze(0)),
            exact("unsqueeze", "x.unsqueeze(1)", () -> x.unsqueeze(1)),
            exact("unsqueeze_last", "x.unsqueeze(-1)", () -> x.unsqueeze(-1)),
            exact("flatten", "x.flatten()", () -> x.flatten()),
            exact("flatten_range", "x.flatten(1, 2)", () -> x.flatten(1, 2)),
            exact("flatten_of_transposed", "x.transpose(0, 1).flatten(1, 2)",
                    () -> then(x.transpose(0, 1), t -> t.flatten(1, 2))),
            exact("cat0", "torch.cat([y, z], 0)", () -> Tensor.cat(List.of(y, z), 0)),
            exact("cat1", "torch.cat([y, y, y], 1)", () -> Tensor.cat(List.of(y, y, y), 1)),
            exact("stack0", "torch.stack([y, y], 0)", () -> Tensor.stack(List.of(y, y), 0)),
            exact("stack_last", "torch.stack([y, y], -1)", () -> Tensor.stack(List.of(y, y), -1)),
            exact("split", "x.split(2, 1)", () -> x.split(2, 1)),
            exact("split_uneven", "y.split(2, 1)", () -> y.split(2, 1)),
            exact("slice", "x[:, 1:3]", () -> x.slice(1, 1, 3, 1)),
            exact("slice_step", "y[:, 0:5:2]", () -> y.slice(1, 0, 5, 2)),
            exact("slice_end_clamped", "y[1:100]", () -> y.slice(0, 1, 100, 1)),
            exact("select", "x.select(1, 2)", () -> x.select(1, 2)),
            exact("select_negative", "x.select(0, -1)", () -> x.select(0, -1)),
            exact("select_of_select", "x[1][2]", () -> then(x.select(0, 1), t -> t.select(0, 2))),
            exact("index_select", "x.index_select(2, idx)", () -> x.indexSelect(2, idx)),
            exact("gather", "y.gather(1, gidx)", () -> y.gather(1, gidx)),
            exact("t_of_slice", "y[:, 1:4].t()", () -> then(y.slice(1, 1, 4, 1), Tensor::t)),
            exact("detach_is_view", "x.detach()", () -> x.detach()));

    @BeforeAll
    static void computeWithPyTorch() {
        x = keep(then(Tensor.arange(0, 24, 1, TensorOptions.DEFAULT), t -> t.view(2, 3, 4)));
        y = keep(TorchOracle.random(21, DType.FLOAT32, 3, 5));
        z = keep(TorchOracle.random(22, DType.FLOAT32, 2, 5));
        u = keep(TorchOracle.random(23, DType.FLOAT64, 2, 1, 3, 1));
        idx = keep(TorchOracle.of(DType.INT64, new long[] {3}, 3, 0, 3));
        gidx = keep(TorchOracle.randomInts(24, 0, 5, DType.INT64, 3, 2));
        TorchOracle oracle = new TorchOracle();
        String[] names = {"x", "y", "z", "u", "idx", "gidx"};
        for (int i = 0; i < names.length; i++) {
            oracle.input(names[i], INPUTS.get(i));
        }
        torch = oracle.expect(SHAPES).run();
    }

    @AfterAll
    static void close() {
        INPUTS.forEach(Tensor::close);
        INPUTS.clear();
    }

    @TestFactory
    Stream<DynamicTest> shapesStridesAndValues() {
        return TorchOracle.layoutTests(torch, SHAPES);
    }

    @Test
    void viewsShareMemoryWithTheirBase() {
        try (Tensor base = Tensor.zeros(2, 3); Tensor view = base.select(0, 1); Tensor ones = Tensor.ones(3)) {
            view.copy_(ones);
            try (Tensor sum = base.sum()) {
                assertEquals(3.0, sum.item(), "writing through a select() view must change the base");
            }
            assertEquals(base.dataAddress() + 3L * base.elementSize(), view.dataAddress());
            assertEquals(3, view.storageOffset());
        }
    }

    @Test
    void metadataAccessors() {
        try (Tensor t = x.transpose(0, 2)) {
            assertEquals(3, t.dim());
            assertEquals(4, t.size(0));
            assertEquals(2, t.size(-1));
            assertEquals(24, t.numel());
            assertEquals(4, t.elementSize());
            assertEquals(Layout.STRIDED, t.layout());
            assertTrue(t.device().isCpu());
        }
    }
}
