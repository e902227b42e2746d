package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * One native tensor handle (a heap {@code at::Tensor} in the shim). Freed exactly once by its owner;
 * this class does not track liveness — {@code Tensor} does.
 */
public final class TensorHandle {
    /** Indices into {@link #meta(long[])}'s output (enum tb_meta_field). */
    public static final int DIM = 0, DTYPE = 1, DEVICE_TYPE = 2, DEVICE_INDEX = 3, LAYOUT = 4, REQUIRES_GRAD = 5,
            IS_LEAF = 6, NUMEL = 7, ELEMENT_SIZE = 8, STORAGE_OFFSET = 9, IS_CONTIGUOUS = 10, DATA_PTR = 11,
            IS_CONJ = 12, IS_NEG = 13, HAS_STORAGE = 14, META_COUNT = 15;
    private static final int MAX_DIMS = 64;

    final MemorySegment pointer;

    TensorHandle(MemorySegment pointer) {
        this.pointer = pointer;
    }

    /** A handle from a pointer the shim returned; null for NULL (an undefined tensor). */
    static TensorHandle ofNullable(MemorySegment pointer) {
        return pointer.address() == 0 ? null : new TensorHandle(pointer);
    }

    public void free() {
        try {
            Status.check((int) Native.TENSOR_FREE.invokeExact(pointer));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** A second handle on the same tensor (same TensorImpl), freed separately. */
    public TensorHandle share() {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.TENSOR_SHARE.invokeExact(pointer, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return new TensorHandle(out.get(ADDRESS, 0));
    }

    /** Fills {@code out} (length {@link #META_COUNT}) with dim, dtype, device, layout, flags, numel... */
    public void meta(long[] out) {
        MemorySegment buffer = Scratch.get(META_COUNT * 8L);
        try {
            Status.check((int) Native.TENSOR_META.invokeExact(pointer, buffer));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        MemorySegment.copy(buffer, JAVA_LONG, 0, out, 0, META_COUNT);
    }

    /** Sizes followed by strides (in elements): {@code result[0]} sizes, {@code result[1]} strides. */
    public long[][] shape() {
        long[] meta = new long[META_COUNT];
        meta(meta);
        return shape((int) meta[DIM]);
    }

    /** {@link #shape()} when the number of dimensions is known (one native call instead of two). */
    public long[][] shape(int dim) {
        MemorySegment buffer = Scratch.get(2L * MAX_DIMS * 8);
        MemorySegment sizes = buffer.asSlice(0, MAX_DIMS * 8L);
        MemorySegment strides = buffer.asSlice(MAX_DIMS * 8L, MAX_DIMS * 8L);
        try {
            Status.check((int) Native.TENSOR_SHAPE.invokeExact(pointer, sizes, strides, MAX_DIMS));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return new long[][] {sizes.asSlice(0, dim * 8L).toArray(JAVA_LONG), strides.asSlice(0, dim * 8L).toArray(JAVA_LONG)};
    }

    /** The single value of a one-element tensor: {@code [double value, long value]}. */
    public double itemDouble() {
        MemorySegment buffer = item();
        return buffer.get(JAVA_DOUBLE, 0);
    }

    public long itemLong() {
        MemorySegment buffer = item();
        return buffer.get(JAVA_LONG, 8);
    }

    private MemorySegment item() {
        MemorySegment buffer = Scratch.get(16);
        ThreadState.current().apply();  // a CUDA tensor is read on the caller's current stream
        try {
            Status.check((int) Native.TENSOR_ITEM.invokeExact(pointer, buffer, buffer.asSlice(8)));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return buffer;
    }

    public boolean sameTensor(TensorHandle other) {
        MemorySegment out = Scratch.get(4);
        try {
            Status.check((int) Native.TENSOR_SAME.invokeExact(pointer, other.pointer, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_INT, 0) != 0;
    }

    public long storageBytes() {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.STORAGE_NBYTES.invokeExact(pointer, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_LONG, 0);
    }

    public void setRequiresGrad(boolean requiresGrad) {
        try {
            Status.check((int) Native.SET_REQUIRES_GRAD.invokeExact(pointer, requiresGrad ? 1 : 0));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public void backward(TensorHandle gradient, boolean retainGraph, boolean createGraph) {
        MemorySegment grad = gradient == null ? MemorySegment.NULL : gradient.pointer;
        ThreadState.current().apply();
        try {
            Status.check((int) Native.BACKWARD.invokeExact(pointer, grad, retainGraph ? 1 : 0, createGraph ? 1 : 0));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** The accumulated gradient, or null when there is none. */
    public TensorHandle grad() {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.GRAD.invokeExact(pointer, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return ofNullable(out.get(ADDRESS, 0));
    }

    /** Keeps this CUDA tensor's memory from reuse until the work queued on {@code stream} so far has run. */
    public void recordStream(MemorySegment stream) {
        try {
            Status.check((int) Native.RECORD_STREAM.invokeExact(pointer, stream));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** The name of the autograd node that made this tensor ("AddBackward0"), or "" for a leaf. */
    public String gradFnName() {
        MemorySegment buffer = Scratch.get(256);
        try {
            Status.check((int) Native.GRAD_FN_NAME.invokeExact(pointer, buffer, 256L));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return buffer.getString(0);
    }

    public void setGrad(TensorHandle grad) {
        try {
            Status.check((int) Native.SET_GRAD.invokeExact(pointer, (MemorySegment) (grad == null ? MemorySegment.NULL : grad.pointer)));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /**
     * Wraps memory that libtorch does not own. {@code deleter} (an upcall stub taking one long, or
     * {@link MemorySegment#NULL}) is called exactly once with {@code context} when libtorch lets go —
     * also when this call fails.
     */
    public static TensorHandle fromBlob(MemorySegment data, long[] sizes, long[] strides, long storageOffset,
                                        int dtype, int deviceType, int deviceIndex, MemorySegment deleter,
                                        long context) {
        int ndim = sizes.length;
        MemorySegment buffer = Scratch.get(8 + 16L * ndim);
        MemorySegment out = buffer.asSlice(0, 8);
        MemorySegment sizeArray = buffer.asSlice(8, 8L * ndim);
        MemorySegment strideArray = buffer.asSlice(8 + 8L * ndim, 8L * ndim);
        MemorySegment.copy(sizes, 0, sizeArray, JAVA_LONG, 0, ndim);
        MemorySegment.copy(strides, 0, strideArray, JAVA_LONG, 0, ndim);
        try {
            Status.check((int) Native.FROM_BLOB.invokeExact(data, ndim, sizeArray, strideArray, storageOffset,
                    dtype, deviceType, deviceIndex, deleter, context, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return new TensorHandle(out.get(ADDRESS, 0));
    }
}
