package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.internal.TensorHandle;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.tensorbridge.ndarray.HugePages;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.Strides;
import org.tensorbridge.ndarray.NDBuffer;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Layout;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;

/**
 * Exchange between {@link NDArray} and {@link Tensor}: {@code torch.from_numpy} and {@code Tensor.numpy()}
 * for Java.
 *
 * <ul>
 *   <li>{@link #fromArray(NDArray)} shares the array's memory with a new CPU tensor (never copies); any
 *       non-negative strides, offsets, zero-size arrays, mmap'd arrays.</li>
 *   <li>{@link #copyFromArray(NDArray)} and {@code copyFrom(float[] ...)} always copy, exactly once.</li>
 *   <li>{@link #toArray(Tensor)} shares a CPU tensor's memory with a new array (never copies);
 *       {@link #toArrayForce(Tensor)} detaches, moves to the CPU and resolves lazy bits first.</li>
 * </ul>
 *
 * <p>Lifetimes: memory shared with libtorch stays valid until both sides are done. A shared array's buffer
 * is retained until libtorch's deleter fires, so closing the array first frees nothing under the tensor;
 * an array made from a tensor holds a reference to the tensor's storage until the array is closed.
 * Memory the caller manages ({@link NDBuffer#external}) must stay valid while tensors use it.
 */
public final class Bridge {
    private Bridge() {
    }

    // ================================================================== NDArray -> Tensor

    /**
     * A CPU tensor over the array's memory, like {@code torch.from_numpy}: writes through either side are seen
     * by the other. Refused (with the fix in the message): negative strides, read-only memory, dtypes the
     * loaded libtorch lacks, strides that are not whole elements, freed arrays.
     */
    public static Tensor fromArray(NDArray array) {
        return array.pinned(() -> share(array));  // a close racing this call takes effect after it
    }

    private static Tensor share(NDArray array) {
        DType dtype = DTypes.supportedTorch(array.dtype());
        if (array.isReadOnly()) {
            throw new BridgeException("the array is read-only (e.g. a read-only mmap or asReadOnly() view) and a tensor"
                    + " could write into it: use Bridge.copyFromArray(array), or map the file in copy-on-write mode");
        }
        long[] shape = array.shape();
        long[] strides = elementStrides(array, shape);
        NDBuffer buffer = array.buffer();
        if (buffer.owner() instanceof TensorHandle storageOwner) {
            // Memory a tensor owns (pinned batches, tensor.numpy() results): share it as a view of that same
            // storage, so libtorch keeps tracking it (the pinned allocator records the events of async copies
            // by storage) and no Java deleter is involved. Strides were checked non-negative, so the first
            // element is the lowest address; the address alone hands out no segment (which would need an arena).
            Tensor view = viewOfStorage(storageOwner, dtype, shape, strides, buffer.address() + array.byteOffset());
            if (view != null) {
                return view;
            }
        }
        // Strides were checked non-negative, so the reachable segment starts at the first element.
        MemorySegment first = array.segment();  // throws IllegalStateException once freed
        if (!first.isNative()) {
            throw new BridgeException("the array lives on the Java heap (it wraps a Java array or a heap ByteBuffer), which"
                    + " libtorch cannot address: use Bridge.copyFromArray(array), or allocate the array off-heap");
        }
        buffer.retain();  // released by libtorch's deleter (also if the wrap fails)
        return Tensor.wrap(first, dtype, shape, strides, 0, Device.CPU, buffer::release);
    }

    // as_strided over the owner's storage, or null when the layout cannot be expressed in that storage's terms.
    private static Tensor viewOfStorage(TensorHandle owner, DType dtype, long[] shape, long[] strides, long address) {
        try (Scope scope = Scope.open()) {
            Tensor base = Tensor.fromHandle(owner.share());
            Tensor.Info info = base.info();
            long storageStart = info.dataAddress() - info.storageOffset() * base.elementSize();
            long offsetBytes = address - storageStart;
            long itemSize = dtype.byteSize();
            if (info.device().type() != org.tensorbridge.torch.DeviceType.CPU || offsetBytes < 0
                    || offsetBytes % itemSize != 0 || base.storageBytes() % itemSize != 0) {
                return null;
            }
            Tensor flat = base.dtype() == dtype ? base : STORAGE_AS.apply(base, dtype);
            return scope.keep(AS_STRIDED.apply(flat, shape, strides, offsetBytes / itemSize));
        }
    }

    private static final Op STORAGE_AS = Op.of("aten::view", "dtype");
    private static final Op AS_STRIDED = Op.of("aten::as_strided", "");

    // Byte strides -> element strides, refusing what PyTorch cannot represent.
    private static long[] elementStrides(NDArray array, long[] shape) {
        long[] byteStrides = array.strides();
        long itemSize = array.itemSize();
        long[] strides = new long[shape.length];
        long contiguous = 1;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            if (shape[axis] <= 1) {
                // Size-1 and size-0 axes never step: their stride is arbitrary (NumPy's ascontiguousarray can
                // leave a negative one there), so use the contiguous stride.
                strides[axis] = contiguous;
            } else if (byteStrides[axis] < 0) {
                throw new BridgeException("the array has a negative stride on axis " + axis + " (a reversed view such as"
                        + " a[::-1]), which tensors cannot have: call array.copy() first, or use Bridge.copyFromArray(array)");
            } else if (byteStrides[axis] % itemSize != 0) {
                throw new BridgeException("the array's stride on axis " + axis + " (" + byteStrides[axis] + " bytes) is not"
                        + " a whole number of " + itemSize + "-byte elements: call array.copy() first, or use"
                        + " Bridge.copyFromArray(array)");
            } else {
                strides[axis] = byteStrides[axis] / itemSize;
            }
            contiguous *= Math.max(shape[axis], 1);
        }
        return strides;
    }

    /** A new CPU tensor holding a copy of the array (any strides, read-only too): exactly one copy. */
    public static Tensor copyFromArray(NDArray array) {
        Tensor tensor = Tensor.empty(TensorOptions.of(DTypes.supportedTorch(array.dtype())), array.shape());
        try (NDArray target = viewOf(tensor, array.dtype(), array.shape())) {
            target.assign(array);
        } catch (RuntimeException e) {
            tensor.close();
            throw e;
        }
        return tensor;
    }

    /** A new float32 tensor holding {@code data} (one copy, heap straight into tensor storage). */
    public static Tensor copyFrom(float[] data, long... shape) {
        return copyFromHeap(MemorySegment.ofArray(data), DType.FLOAT32, data.length, shape);
    }

    public static Tensor copyFrom(double[] data, long... shape) {
        return copyFromHeap(MemorySegment.ofArray(data), DType.FLOAT64, data.length, shape);
    }

    public static Tensor copyFrom(int[] data, long... shape) {
        return copyFromHeap(MemorySegment.ofArray(data), DType.INT32, data.length, shape);
    }

    public static Tensor copyFrom(long[] data, long... shape) {
        return copyFromHeap(MemorySegment.ofArray(data), DType.INT64, data.length, shape);
    }

    public static Tensor copyFrom(short[] data, long... shape) {
        return copyFromHeap(MemorySegment.ofArray(data), DType.INT16, data.length, shape);
    }

    /** A new int8 tensor holding {@code data}. */
    public static Tensor copyFrom(byte[] data, long... shape) {
        return copyFromHeap(MemorySegment.ofArray(data), DType.INT8, data.length, shape);
    }

    /** A new tensor of {@code dtype} from the bytes between the buffer's position and limit (little-endian). */
    public static Tensor copyFrom(ByteBuffer data, DType dtype, long... shape) {
        MemorySegment bytes = MemorySegment.ofBuffer(data);
        if (bytes.byteSize() % dtype.byteSize() != 0) {
            throw new BridgeException("the buffer holds " + bytes.byteSize() + " bytes, not a whole number of "
                    + dtype.numpyName() + " elements");
        }
        return copyFromHeap(bytes, dtype, bytes.byteSize() / dtype.byteSize(), shape);
    }

    private static Tensor copyFromHeap(MemorySegment source, DType dtype, long length, long[] shape) {
        long[] resolved = shape.length == 0 ? new long[] {length} : shape;
        long elements = Strides.elementCount(resolved);
        if (elements != length) {
            throw new BridgeException("shape " + Arrays.toString(resolved) + " holds " + elements + " elements but the data has "
                    + length + ": pass a shape whose product is " + length);
        }
        Tensor tensor = Tensor.empty(TensorOptions.of(DTypes.supportedTorch(dtype)), resolved);
        MemorySegment.copy(source, 0, storageOf(tensor, elements * dtype.byteSize()), 0, elements * dtype.byteSize());
        return tensor;
    }

    // ================================================================== Tensor -> NDArray

    /**
     * An array over a CPU tensor's memory, like {@code tensor.numpy()}: writes through either side are seen by
     * the other; the array keeps the tensor's storage alive until it is closed. Refused (with the fix):
     * tensors that require grad, tensors not on the CPU, non-strided layouts, conjugate/negative bits,
     * dtypes NumPy lacks, closed tensors.
     */
    public static NDArray toArray(Tensor tensor) {
        Tensor.Info info = tensor.info();
        if (info.requiresGrad()) {
            throw new BridgeException("the tensor requires grad, so sharing its memory would bypass autograd: call"
                    + " tensor.detach() first (Bridge.toArray(tensor.detach())), or use Bridge.toArrayForce(tensor)");
        }
        if (!info.device().isCpu()) {
            throw new BridgeException("the tensor is on " + info.device() + " and an array needs host memory: call"
                    + " tensor.to(Device.CPU) first, or use Bridge.toArrayForce(tensor), which copies it to the CPU");
        }
        if (info.layout() != Layout.STRIDED) {
            throw new BridgeException("the tensor's layout is " + info.layout() + "; only strided tensors share memory:"
                    + " convert it first (Op.call(\"aten::to_dense\", tensor)), or use Bridge.toArrayForce(tensor)");
        }
        if (info.isConj() || info.isNeg()) {
            String bit = info.isConj() ? "conj" : "neg";
            throw new BridgeException("the tensor has its lazy " + (info.isConj() ? "conjugate" : "negative")
                    + " bit set: call tensor.resolve" + (info.isConj() ? "Conj" : "Neg") + "() first (aten::resolve_" + bit
                    + "), or use Bridge.toArrayForce(tensor)");
        }
        DType dtype = DTypes.toArray(info.dtype());
        long[] shape = info.shape();
        long itemSize = dtype.byteSize();
        long span = itemSize;
        long[] byteStrides = new long[shape.length];
        boolean empty = false;
        for (int axis = 0; axis < shape.length; axis++) {
            byteStrides[axis] = info.strides()[axis] * itemSize;
            span += byteStrides[axis] * Math.max(shape[axis] - 1, 0);
            empty |= shape[axis] == 0;
        }
        if (empty) {
            return NDArray.zeros(dtype, shape);
        }
        return NDArray.wrap(TensorMemory.holding(tensor, info.dataAddress(), span), dtype, shape, byteStrides, 0, true);
    }

    /**
     * Always works, like {@code tensor.numpy(force=True)}: detaches, moves to the CPU, resolves lazy bits and
     * widens dtypes NumPy lacks (complex32 to complex64, float8 to float32) — in that order, each step only
     * when needed — then shares.
     */
    public static NDArray toArrayForce(Tensor tensor) {
        Tensor.Info info = tensor.info();
        if (info.device().type() == org.tensorbridge.torch.DeviceType.META) {
            throw new BridgeException("the tensor is on the meta device, which holds shapes but no data: there is nothing"
                    + " to copy; create it on a real device (e.g. Device.CPU)");
        }
        Tensor current = tensor.detach();
        try {
            current = step(current, !info.device().isCpu(), t -> t.to(Device.CPU));
            current = step(current, info.isConj(), Tensor::resolveConj);
            current = step(current, info.isNeg(), Tensor::resolveNeg);
            current = step(current, info.layout() != Layout.STRIDED, TO_DENSE::apply);
            current = step(current, !info.dtype().isArrayType(), t -> t.to(arrayCompatible(info.dtype())));
            return toArray(current);
        } finally {
            current.close();
        }
    }

    private static final Op TO_DENSE = Op.of("aten::to_dense");

    // Applies `convert` when needed, closing the tensor it replaces.
    private static Tensor step(Tensor tensor, boolean needed, java.util.function.UnaryOperator<Tensor> convert) {
        if (!needed) {
            return tensor;
        }
        try {
            return convert.apply(tensor);
        } finally {
            tensor.close();
        }
    }

    // complex32 widens to complex64 (keeping the imaginary part); float8 widens to float32.
    private static DType arrayCompatible(DType dtype) {
        return dtype == DType.COMPLEX32 ? DType.COMPLEX64
                : DType.FLOAT32;
    }

    // A C-contiguous NDArray over a fresh contiguous tensor's memory (for copies into it); the caller closes
    // it before the tensor.
    private static NDArray viewOf(Tensor tensor, DType dtype, long[] shape) {
        long bytes = Strides.elementCount(shape) * dtype.byteSize();
        return NDArray.wrap(NDBuffer.external(storageOf(tensor, bytes)), dtype, shape,
                Strides.cOrder(shape, dtype.byteSize()), 0, true);
    }

    // The memory of a fresh contiguous tensor about to be filled: advise huge pages first, since the page
    // faults of a first write otherwise cost more than the copy itself.
    private static MemorySegment storageOf(Tensor tensor, long bytes) {
        long address = tensor.dataAddress();
        HugePages.advise(address, bytes);
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

}
