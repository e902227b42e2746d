package org.tensorbridge.ndarray;

/** Byte strides of the two dense layouts, as NumPy computes them (size-0 axes count as 1). */
public final class Strides {
    private Strides() {
    }

    /** The number of elements of {@code shape}; refuses negative sizes and overflow. */
    public static long elementCount(long[] shape) {
        return Shapes.size(shape);
    }

    /** Row-major (C order): the last axis varies fastest. */
    public static long[] cOrder(long[] shape, long itemSize) {
        long[] strides = new long[shape.length];
        long stride = itemSize;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            strides[axis] = stride;
            stride *= Math.max(shape[axis], 1);
        }
        return strides;
    }

    /** Column-major (Fortran order): the first axis varies fastest. */
    public static long[] fOrder(long[] shape, long itemSize) {
        long[] strides = new long[shape.length];
        long stride = itemSize;
        for (int axis = 0; axis < shape.length; axis++) {
            strides[axis] = stride;
            stride *= Math.max(shape[axis], 1);
        }
        return strides;
    }
}
