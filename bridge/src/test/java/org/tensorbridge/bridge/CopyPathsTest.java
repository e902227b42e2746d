package org.tensorbridge.bridge;

import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.testkit.ScopePerTest;

import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.tensorbridge.bridge.BridgeTestSupport.assertRefused;
import static org.tensorbridge.bridge.BridgeTestSupport.mib;
import static org.tensorbridge.bridge.BridgeTestSupport.peakRssBytes;
import static org.tensorbridge.bridge.BridgeTestSupport.resetPeakRss;
import static org.tensorbridge.bridge.BridgeTestSupport.rssBytes;
import static org.tensorbridge.bridge.BridgeTestSupport.values;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.tensorbridge.ndarray.Index;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDArrays;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;
import org.tensorbridge.torch.internal.Deleters;

/**
 * The copying paths: {@link Bridge#copyFromArray} and {@code copyFrom(heap array / ByteBuffer)} give equal
 * values in a fresh, contiguous, libtorch-owned tensor (no deleter: the tensor's memory is not the
 * array's), accept what sharing refuses (negative strides, read-only memory), make exactly one copy (peak
 * RSS grows by one tensor, not two) and reject shape/length mismatches with a clear BridgeException.
 */
@ExtendWith(ScopePerTest.class)
class CopyPathsTest {

    private static NDArray matrix() {
        return Scope.compute(() -> NDArrays.arange(0.0, 12.0, 1.0, DType.FLOAT32).reshape(3, 4).copy());
    }

    private static void assertIndependentCopy(NDArray source, Function<NDArray, Tensor> copier) {
        int pending = Deleters.pending();
        try (Tensor copy = copier.apply(source)) {
            assertEquals(pending, Deleters.pending(), "a copy is owned by libtorch: no Java deleter");
            assertArrayEquals(source.shape(), copy.shape());
            assertTrue(copy.isContiguous());
            double[] raw = values(copy);
            double[] copied = source.dtype().isComplex() ? IntStream.range(0, raw.length / 2).mapToDouble(i -> raw[2 * i]).toArray() : raw;
            assertArrayEquals(values(source), copied, "values");
            long start = source.buffer().segment().address();
            long end = start + source.buffer().byteSize();
            assertTrue(copy.dataAddress() < start || copy.dataAddress() >= end, "the tensor's memory is not the array's");
            if (!source.isReadOnly() && source.size() > 0) {
                double before = values(copy)[0];
                long[] origin = new long[source.ndim()];
                source.setDouble(before + 100, origin);
                assertEquals(before, values(copy)[0], "a later write to the array does not reach the copy");
                source.setDouble(before, origin);
            }
        }
    }

    @Test
    void copyFromArrayCopiesEveryLayout() {
        try (NDArray m = matrix()) {
            assertIndependentCopy(m, Bridge::copyFromArray);
            assertIndependentCopy(m.transpose(), Bridge::copyFromArray);
            assertIndependentCopy(m.get(Index.slice(null, null, -1L), Index.slice(null, null, -2L)), Bridge::copyFromArray);
            assertIndependentCopy(m.asReadOnly(), Bridge::copyFromArray);
            assertIndependentCopy(m.get(Index.at(1)).broadcastTo(5, 4), Bridge::copyFromArray);
            assertIndependentCopy(m.get(Index.slice(1L, 1L, null)), Bridge::copyFromArray);
            assertIndependentCopy(m.get(Index.at(2), Index.at(3)), Bridge::copyFromArray);
        }
        for (DType dtype : DType.arrayTypes()) {
            if (!Torch.supports(dtype)) {
                continue;
            }
            try (NDArray m = matrix(); NDArray typed = m.astype(dtype)) {
                assertIndependentCopy(typed.transpose(), a -> {
                    Tensor t = Bridge.copyFromArray(a);
                    assertEquals(dtype, t.dtype());
                    return t;
                });
            }
        }
    }

    @Test
    void copyFromHeapArrays() {
        float[] f = {1.5f, -2, 3, 4, 5, 6};
        try (Tensor t = Bridge.copyFrom(f, 2, 3)) {
            assertEquals(DType.FLOAT32, t.dtype());
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertArrayEquals(new double[] {1.5, -2, 3, 4, 5, 6}, values(t));
            f[0] = 99;
            assertEquals(1.5, values(t)[0], "copied, not shared");
        }
        try (Tensor t = Bridge.copyFrom(new double[] {Math.PI, Double.NaN, Double.NEGATIVE_INFINITY})) {
            assertArrayEquals(new long[] {3}, t.shape(), "no shape: 1-D");
            assertEquals(DType.FLOAT64, t.dtype());
            assertArrayEquals(new double[] {Math.PI, Double.NaN, Double.NEGATIVE_INFINITY}, values(t));
        }
        try (Tensor t = Bridge.copyFrom(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, 3, 1)) {
            assertEquals(DType.INT32, t.dtype());
            assertArrayEquals(new double[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, values(t));
        }
        try (Tensor t = Bridge.copyFrom(new long[] {Long.MAX_VALUE, -1})) {
            assertEquals(DType.INT64, t.dtype());
            assertEquals(Long.MAX_VALUE, t.slice(0, 0, 1, 1).itemLong());
        }
        try (Tensor t = Bridge.copyFrom(new short[] {-32768, 7})) {
            assertEquals(DType.INT16, t.dtype());
            assertArrayEquals(new double[] {-32768, 7}, values(t));
        }
        try (Tensor t = Bridge.copyFrom(new byte[] {-128, 127})) {
            assertEquals(DType.INT8, t.dtype());
            assertArrayEquals(new double[] {-128, 127}, values(t));
        }
        try (Tensor t = Bridge.copyFrom(new float[0])) {
            assertArrayEquals(new long[] {0}, t.shape());
        }
        try (Tensor t = Bridge.copyFrom(new float[] {7}, new long[0])) {
            assertArrayEquals(new long[] {1}, t.shape(), "an empty shape means 1-D (not 0-d)");
        }
        try (Tensor t = Bridge.copyFrom(new float[0], 0, 5)) {
            assertArrayEquals(new long[] {0, 5}, t.shape());
        }
    }

    @Test
    void copyFromByteBuffersHonoursPositionAndLimit() {
        for (ByteBuffer buffer : new ByteBuffer[] {ByteBuffer.allocate(40), ByteBuffer.allocateDirect(40)}) {
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 10; i++) {
                buffer.putFloat(i * 4, i + 0.5f);
            }
            buffer.position(8).limit(32);   // floats 2..7
            try (Tensor t = Bridge.copyFrom(buffer, DType.FLOAT32, 2, 3)) {
                assertArrayEquals(new double[] {2.5, 3.5, 4.5, 5.5, 6.5, 7.5}, values(t));
            }
            assertEquals(8, buffer.position(), "the buffer's position is not consumed");
            try (Tensor t = Bridge.copyFrom(buffer.duplicate().position(0).limit(40), DType.INT64)) {
                assertArrayEquals(new long[] {5}, t.shape());
                assertEquals(DType.INT64, t.dtype());
            }
            try (Tensor t = Bridge.copyFrom(buffer.duplicate().position(0).limit(8).asReadOnlyBuffer(), DType.BFLOAT16)) {
                assertEquals(DType.BFLOAT16, t.dtype());
                assertArrayEquals(new long[] {4}, t.shape());
            }
        }
    }

    @Test
    void mismatchesAreClearBridgeExceptions() {
        assertRefused(BridgeException.class, () -> Bridge.copyFrom(new float[6], 4, 2), "shape [4, 2]", "8 elements",
                "data has 6", "product is 6");
        assertRefused(BridgeException.class, () -> Bridge.copyFrom(new int[5], 2, 2), "4 elements", "data has 5");
        assertRefused(BridgeException.class, () -> Bridge.copyFrom(ByteBuffer.allocate(7), DType.FLOAT32), "7 bytes",
                "whole number", "float32");
        assertRefused(BridgeException.class, () -> Bridge.copyFrom(ByteBuffer.allocate(8), DType.FLOAT32, 3), "3 elements",
                "data has 2");
    }

    /** Unsigned 16/32/64-bit on libtorch < 2.3: the copy is refused too, with the fix in the message. */
    @Test
    void wideUnsignedCopiesAreRefusedBeforeLibtorch23() {
        assumeTrue(!Torch.supports(DType.UINT16), "libtorch " + Torch.version() + " has uint16");
        int pending = Deleters.pending();
        try (NDArray u16 = NDArray.zeros(DType.UINT16, 3)) {
            assertRefused(RuntimeException.class, () -> Bridge.copyFromArray(u16), "uint16", "2.3");
        }
        assertRefused(RuntimeException.class, () -> Bridge.copyFrom(ByteBuffer.allocate(8), DType.UINT32), "uint32", "2.3");
        assertEquals(pending, Deleters.pending());
    }

    /** Exactly one copy: peak RSS grows by about one tensor, not two, while copying 64 MiB. */
    @Test
    void exactlyOneCopy() {
        assumeTrue(resetPeakRss(), "cannot reset VmHWM (/proc/self/clear_refs)");
        long bytes = 64L << 20;
        int n = (int) (bytes / 4);
        float[] heap = new float[n];
        Arrays.fill(heap, 1.25f);
        try (NDArray array = NDArray.full(DType.FLOAT32, 2.5, n)) {
            // round 0 warms up: libtorch's first allocations of a process map ~140 MiB of its own
            for (int round = 0; round < 2; round++) {
                for (String path : new String[] {"copyFromArray", "copyFromArray(transposed)", "copyFrom(float[])"}) {
                    System.gc();
                    resetPeakRss();
                    long before = rssBytes();
                    try (NDArray grid = array.reshape(4096, n / 4096);
                         Tensor t = switch (path) {
                             case "copyFromArray" -> Bridge.copyFromArray(array);
                             case "copyFromArray(transposed)" -> Bridge.copyFromArray(grid.transpose());
                             default -> Bridge.copyFrom(heap);
                         }) {
                        long peak = peakRssBytes() - before;
                        if (round == 0) {
                            continue;
                        }
                        System.out.printf("COPY %s of %s: peak RSS +%s%n", path, mib(bytes), mib(peak));
                        try (Tensor last = t.flatten(); Tensor one = last.slice(0, n - 1, n, 1)) {
                            assertEquals(path.equals("copyFrom(float[])") ? 1.25 : 2.5, one.item());
                        }
                        assertTrue(peak > bytes * 3 / 4, path + ": the copy itself is resident (" + mib(peak) + ")");
                        assertTrue(peak < bytes * 3 / 2, path + ": more than one copy (" + mib(peak) + " for " + mib(bytes) + ")");
                    }
                }
            }
        }
    }
}
