package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.tensorbridge.bridge.BridgeTestSupport.assertPendingBackTo;
import static org.tensorbridge.bridge.BridgeTestSupport.assertRefused;
import static org.tensorbridge.bridge.BridgeTestSupport.firstElementAddress;
import static org.tensorbridge.bridge.BridgeTestSupport.values;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;
import org.tensorbridge.torch.internal.Deleters;

/**
 * Every dtype both sides have shares memory in both directions (fromArray and toArray): a write through
 * either side is seen by the other, at the same address, with the same dtype, shape and strides. The
 * unsigned 16/32/64-bit dtypes are refused on libtorch < 2.3 and must share on 2.3+ (Assumptions pick).
 */
class DTypeSharingTest {
    private static final long[] SHAPE = {2, 3};

    /** The value written through the array at flat index i: exact in every dtype. */
    private static double arrayValue(DType dtype, int i) {
        if (dtype == DType.BOOL) {
            return i % 2;
        }
        if (dtype.isUnsigned()) {
            return 3 * i + 1;
        }
        if (dtype.isInteger()) {
            return 3 * i - 7;
        }
        return 0.75 * i - 2;
    }

    /** The value written through the tensor at flat index i. */
    private static double tensorValue(DType dtype, int i) {
        if (dtype == DType.BOOL || dtype.isUnsigned()) {
            return 5 - i;
        }
        return 4 - 2.5 * (dtype.isInteger() ? 0.8 : 1) * i;  // ints: 4, 2, 0, ...; floats: 4, 1.5, -1, ...
    }

    private static double imag(int i) {
        return i + 0.5;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, mode = EnumSource.Mode.EXCLUDE, names = {"COMPLEX32", "FLOAT8_E4M3FN", "FLOAT8_E5M2"})
    void arrayToTensorSharesEveryDtype(DType dtype) {
        assumeTrue(Torch.supports(dtype), () -> dtype + " is not in libtorch " + Torch.version());
        int pending = Deleters.pending();
        try (NDArray array = NDArray.zeros(dtype, SHAPE); Tensor tensor = Bridge.fromArray(array)) {
            assertEquals(dtype, tensor.dtype());
            assertArrayEquals(SHAPE, tensor.shape());
            assertArrayEquals(new long[] {3, 1}, tensor.strides());
            assertEquals(array.itemSize(), tensor.elementSize());
            assertEquals(firstElementAddress(array), tensor.dataAddress(), "no copy: same first element");
            assertEquals(pending + 1, Deleters.pending());
            assertSharedBothWays(dtype, array, tensor);
        }
        assertPendingBackTo(pending);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, mode = EnumSource.Mode.EXCLUDE, names = {"COMPLEX32", "FLOAT8_E4M3FN", "FLOAT8_E5M2"})
    void tensorToArraySharesEveryDtype(DType dtype) {
        assumeTrue(Torch.supports(dtype), () -> dtype + " is not in libtorch " + Torch.version());
        try (Tensor tensor = Tensor.zeros(TensorOptions.of(dtype), SHAPE); NDArray array = Bridge.toArray(tensor)) {
            assertEquals(dtype, array.dtype());
            assertArrayEquals(SHAPE, array.shape());
            assertArrayEquals(new long[] {3 * array.itemSize(), array.itemSize()}, array.strides());
            assertFalse(array.isReadOnly());
            assertEquals(tensor.dataAddress(), firstElementAddress(array), "no copy: same first element");
            assertSharedBothWays(dtype, array, tensor);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"UINT16", "UINT32", "UINT64"})
    void wideUnsignedDtypesAreRefusedBeforeLibtorch23(DType dtype) {
        assumeFalse(Torch.supports(dtype), () -> "libtorch " + Torch.version() + " has " + dtype + ": it must share");
        int pending = Deleters.pending();
        try (NDArray array = NDArray.zeros(dtype, SHAPE)) {
            assertRefused(BridgeException.class, () -> Bridge.fromArray(array), dtype.numpyName(), Torch.version(),
                    "libtorch 2.3", "astype");
            assertEquals(1, array.buffer().refCount(), "a refused array is not retained");
        }
        assertEquals(pending, Deleters.pending());
    }

    /** Writes through the array and reads through the tensor, then the other way round. */
    private static void assertSharedBothWays(DType dtype, NDArray array, Tensor tensor) {
        int n = (int) array.size();
        // array -> tensor
        double[] expected = new double[dtype.isComplex() ? 2 * n : n];
        for (int i = 0; i < n; i++) {
            long[] index = {i / 3, i % 3};
            array.setDouble(arrayValue(dtype, i), index);
            if (dtype.isComplex()) {
                setImag(array, index, imag(i));
                expected[2 * i] = arrayValue(dtype, i);
                expected[2 * i + 1] = imag(i);
            } else {
                expected[i] = arrayValue(dtype, i);
            }
        }
        assertArrayEquals(expected, values(tensor), "array writes seen by the tensor (" + dtype + ")");

        // tensor -> array
        double[] written = new double[n];
        for (int i = 0; i < n; i++) {
            written[i] = tensorValue(dtype, i);
        }
        try (Tensor doubles = Bridge.copyFrom(written, SHAPE); Tensor source = doubles.to(dtype)) {
            tensor.copy_(source);
        }
        if (dtype.isComplex()) {
            try (Tensor real = Op.callTensor("aten::view_as_real", tensor); Tensor im = real.select(-1, 1);
                 Tensor imagValues = Tensor.arange(0, n, 1, TensorOptions.of(DType.FLOAT64));
                 Tensor shifted = imagValues.add(0.25); Tensor shaped = shifted.view(SHAPE)) {
                im.copy_(shaped);
            }
        }
        double[] expectedBack = dtype == DType.BOOL ? java.util.Arrays.stream(written).map(v -> v != 0 ? 1 : 0).toArray() : written;
        assertArrayEquals(expectedBack, values(array), "tensor writes seen by the array (" + dtype + ")");
        if (dtype.isComplex()) {
            for (int i = 0; i < n; i++) {
                assertEquals(i + 0.25, array.getImag(i / 3, i % 3), "imaginary part through the tensor");
            }
        }
    }

    private static void setImag(NDArray array, long[] index, double value) {
        MemorySegment segment = array.segment();
        long offset = array.firstElementOffsetInSegment() + index[0] * array.strides()[0] + index[1] * array.strides()[1];
        if (array.dtype() == DType.COMPLEX64) {
            segment.set(ValueLayout.JAVA_FLOAT_UNALIGNED, offset + 4, (float) value);
        } else {
            segment.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, offset + 8, value);
        }
    }
}
