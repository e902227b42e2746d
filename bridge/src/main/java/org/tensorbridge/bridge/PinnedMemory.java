package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;

import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.Strides;
import org.tensorbridge.ndarray.NDBuffer;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.internal.Gpu;

/**
 * NDArrays in page-locked (pinned) host memory from libtorch's pinned host allocator, so data prepared in
 * Java crosses to the GPU asynchronously and at full bandwidth, without an intermediate copy:
 * <pre>{@code
 * try (NDArray batch = PinnedMemory.allocate(DType.FLOAT32, 256, 784)) {
 *     fill(batch);                                          // Java writes straight into pinned memory
 *     try (Transfer t = DeviceCopies.toDevice(batch, Device.cuda(0), stream)) { train(t.tensor()); }
 * }
 * }</pre>
 * Pinned and pageable arrays work everywhere (pageable copies are synchronous and slower). Needs a usable
 * CUDA device: without one, {@code CudaUnavailableException} says so ({@code tensorbridge doctor} explains).
 */
public final class PinnedMemory {
    private PinnedMemory() {
    }

    /** An uninitialised C-contiguous array in pinned memory: fill it before use. */
    public static NDArray allocate(DType dtype, long... shape) {
        long elements = Strides.elementCount(shape);
        long bytes = Math.multiplyExact(elements, (long) dtype.byteSize());
        try (Tensor raw = Tensor.fromHandle(Gpu.pinnedEmpty(Math.max(bytes, 1)))) {
            NDBuffer buffer = TensorMemory.holding(raw, raw.dataAddress(), Math.max(bytes, 1));
            return NDArray.wrap(buffer, dtype, shape, Strides.cOrder(shape, dtype.byteSize()), 0, true);
        }
    }

    /**
     * A pinned copy of {@code array}. Pinning means a copy here (Java cannot page-lock memory it did not
     * allocate through libtorch), so allocating pinned arrays up front and writing into them is faster.
     */
    public static NDArray pin(NDArray array) {
        NDArray pinned = allocate(array.dtype(), array.shape());
        try {
            pinned.assign(array);
            return pinned;
        } catch (RuntimeException e) {
            pinned.close();
            throw e;
        }
    }
}
