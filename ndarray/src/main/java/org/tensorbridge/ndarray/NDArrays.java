package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

/**
 * Static facade in NumPy style: {@code NDArrays.add(a, b)}, {@code NDArrays.arange(10)}, ... Every method
 * returns a new owned array (close it) unless documented otherwise.
 */
public final class NDArrays {
    private NDArrays() {
    }

    public static NDArray zeros(DType dtype, long... shape) {
        return NDArray.zeros(dtype, shape);
    }

    public static NDArray ones(DType dtype, long... shape) {
        return NDArray.ones(dtype, shape);
    }

    public static NDArray full(DType dtype, double value, long... shape) {
        return NDArray.full(dtype, value, shape);
    }

    /** {@code np.arange(stop)} as int64. */
    public static NDArray arange(long stop) {
        return Creation.arange(0, stop, 1);
    }

    /** {@code np.arange(start, stop, step)} as int64. */
    public static NDArray arange(long start, long stop, long step) {
        return Creation.arange(start, stop, step);
    }

    /** {@code np.arange(start, stop, step)} as float64. */
    public static NDArray arange(double start, double stop, double step) {
        return Creation.arange(start, stop, step, DType.FLOAT64);
    }

    public static NDArray arange(double start, double stop, double step, DType dtype) {
        return Creation.arange(start, stop, step, dtype);
    }

    /** {@code np.linspace(start, stop, num)} (endpoint included), float64. */
    public static NDArray linspace(double start, double stop, long num) {
        return Creation.linspace(start, stop, num, true);
    }

    public static NDArray linspace(double start, double stop, long num, boolean endpoint) {
        return Creation.linspace(start, stop, num, endpoint);
    }

    /** {@code np.eye(n)} float64. */
    public static NDArray eye(long n) {
        return Creation.eye(n, n, 0, DType.FLOAT64);
    }

    public static NDArray eye(long n, long m, long k, DType dtype) {
        return Creation.eye(n, m, k, dtype);
    }

    public static NDArray concatenate(int axis, NDArray... arrays) {
        return Creation.concatenate(axis, arrays);
    }

    public static NDArray stack(int axis, NDArray... arrays) {
        return Creation.stack(axis, arrays);
    }

    public static NDArray add(NDArray a, NDArray b) {
        return a.add(b);
    }

    public static NDArray sub(NDArray a, NDArray b) {
        return a.sub(b);
    }

    public static NDArray mul(NDArray a, NDArray b) {
        return a.mul(b);
    }

    public static NDArray div(NDArray a, NDArray b) {
        return a.div(b);
    }

    public static NDArray pow(NDArray a, NDArray b) {
        return a.pow(b);
    }

    public static NDArray minimum(NDArray a, NDArray b) {
        return a.minimum(b);
    }

    public static NDArray maximum(NDArray a, NDArray b) {
        return a.maximum(b);
    }

    /** {@code np.where(cond, x, y)}: broadcast together, result dtype {@code promote(x, y)}. */
    public static NDArray where(NDArray cond, NDArray x, NDArray y) {
        return ElementwiseKernels.where(cond, x, y);
    }

    /** {@code np.where(cond, x, y)} with Python-float scalars: float64 result. */
    public static NDArray where(NDArray cond, double x, double y) {
        try (NDArray xs = NDArray.scalar(DType.FLOAT64, x); NDArray ys = NDArray.scalar(DType.FLOAT64, y)) {
            return ElementwiseKernels.where(cond, xs, ys);
        }
    }

    /** {@code np.result_type} for arrays (NumPy 2). */
    public static DType resultType(DType... types) {
        return Promotion.resultType(types);
    }

    /** {@code np.broadcast_shapes}. */
    public static long[] broadcastShapes(long[]... shapes) {
        return Broadcast.shape(shapes);
    }

    /** {@code np.broadcast_arrays}: read-only views, each a new array the caller closes. */
    public static NDArray[] broadcastArrays(NDArray... arrays) {
        long[][] shapes = new long[arrays.length][];
        for (int i = 0; i < arrays.length; i++) {
            shapes[i] = arrays[i].shapeRef();
        }
        long[] shape = Broadcast.shape(shapes);
        NDArray[] out = new NDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = arrays[i].broadcastTo(shape);
        }
        return out;
    }
}
