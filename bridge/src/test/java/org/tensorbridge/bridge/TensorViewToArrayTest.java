package org.tensorbridge.bridge;

import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.testkit.ScopePerTest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.tensorbridge.bridge.BridgeTestSupport.firstElementAddress;
import static org.tensorbridge.bridge.BridgeTestSupport.values;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;

/**
 * Tensor views become arrays the way {@code tensor.numpy()} makes them: byte strides = element strides x
 * item size, the data pointer (storage offset included) is the array's first element, values agree, and
 * writes go both ways.
 */
@ExtendWith(ScopePerTest.class)
class TensorViewToArrayTest {
    static Stream<Arguments> views() {
        return Stream.of(
                Arguments.of("contiguous", (Function<Tensor, Tensor>) t -> t.view(4, 6)),
                Arguments.of("transposed", (Function<Tensor, Tensor>) t -> t.view(4, 6).t()),
                Arguments.of("sliced with step and offset", (Function<Tensor, Tensor>) t -> t.view(4, 6).slice(1, 1, 6, 2)),
                Arguments.of("select (storage offset)", (Function<Tensor, Tensor>) t -> t.view(2, 3, 4).select(1, 2)),
                Arguments.of("permuted 3-d", (Function<Tensor, Tensor>) t -> t.view(2, 3, 4).permute(2, 0, 1)),
                Arguments.of("expanded (zero stride)", (Function<Tensor, Tensor>) t -> Op.callTensor("aten::expand",
                        t.view(4, 6).select(0, 1).unsqueeze(0), new long[] {3, 6})),
                Arguments.of("0-dim", (Function<Tensor, Tensor>) t -> t.view(4, 6).select(0, 3).select(0, 5)),
                Arguments.of("size-1 axes", (Function<Tensor, Tensor>) t -> t.view(24, 1).slice(0, 5, 6, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("views")
    void tensorViewsShareLikeNumpy(String name, Function<Tensor, Tensor> makeView) {
        try (Tensor base = Tensor.arange(0, 24, 1, TensorOptions.DEFAULT); Tensor view = makeView.apply(base);
             NDArray array = Bridge.toArray(view)) {
            long[] shape = view.shape();
            assertArrayEquals(shape, array.shape());
            assertArrayEquals(Arrays.stream(view.strides()).map(s -> s * 4).toArray(), array.strides(), "byte strides");
            assertFalse(array.isReadOnly(), "tensor.numpy() arrays are writable");
            assertEquals(view.dataAddress(), firstElementAddress(array));
            assertArrayEquals(values(view), values(array));
            long[] last = Arrays.stream(shape).map(d -> d - 1).toArray();
            array.setDouble(-5, last);
            assertEquals(-5.0, values(view)[(int) view.numel() - 1], "array write seen by the tensor");
            Op.callTensor("aten::fill_", view, -10).close();   // fill_ is allowed on overlapping (expanded) views
            assertEquals(-10.0, array.getDouble(last), "tensor write seen by the array");
        }
    }
}
