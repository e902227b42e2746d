package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import java.util.Arrays;

/** arange, linspace, eye, concatenate and stack (NumPy semantics). */
final class Creation {
    private Creation() {
    }

    /** {@code np.arange(start, stop, step, dtype)}: length ceil((stop - start) / step), values start + i*delta. */
    static NDArray arange(double start, double stop, double step, DType dtype) {
        if (step == 0) {
            throw new IllegalArgumentException("arange: step must not be zero");
        }
        double len = Math.ceil((stop - start) / step);
        long n = len > 0 ? (long) len : 0;
        NDArray out = NDArray.empty(dtype, n);
        double delta = (start + step) - start;
        var s = out.buffer().memory();
        long item = dtype.byteSize();
        for (long i = 0; i < n; i++) {
            Elements.setDouble(s, i * item, dtype, start + i * delta);
        }
        return out;
    }

    /** Integer {@code np.arange} (int64), exact. */
    static NDArray arange(long start, long stop, long step) {
        if (step == 0) {
            throw new IllegalArgumentException("arange: step must not be zero");
        }
        long n = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                : (stop < start ? (start - stop - step - 1) / (-step) : 0);
        NDArray out = NDArray.empty(DType.INT64, n);
        var s = out.buffer().memory();
        for (long i = 0; i < n; i++) {
            s.setAtIndex(Elements.I64, i, start + i * step);
        }
        return out;
    }

    /** {@code np.linspace(start, stop, num, endpoint)} as float64. */
    static NDArray linspace(double start, double stop, long num, boolean endpoint) {
        if (num < 0) {
            throw new IllegalArgumentException("Number of samples, " + num + ", must be non-negative");
        }
        NDArray out = NDArray.empty(DType.FLOAT64, num);
        long div = endpoint ? num - 1 : num;
        double delta = stop - start;
        double step = div > 0 ? delta / div : Double.NaN;
        var s = out.buffer().memory();
        for (long i = 0; i < num; i++) {
            double y;
            if (div > 0) {
                y = step == 0 ? (i / (double) div) * delta : i * step;
            } else {
                y = i * delta;
            }
            s.setAtIndex(Elements.F64, i, y + start);
        }
        if (endpoint && num > 1) {
            s.setAtIndex(Elements.F64, num - 1, stop);
        }
        return out;
    }

    static NDArray eye(long n, long m, long k, DType dtype) {
        NDArray out = NDArray.zeros(dtype, n, m);
        for (long i = 0; i < n; i++) {
            long j = i + k;
            if (j >= 0 && j < m) {
                out.setDouble(1, i, j);
            }
        }
        return out;
    }

    static NDArray concatenate(int axis, NDArray... arrays) {
        if (arrays.length == 0) {
            throw new IllegalArgumentException("need at least one array to concatenate");
        }
        int nd = arrays[0].ndim();
        if (nd == 0) {
            throw new IllegalArgumentException("zero-dimensional arrays cannot be concatenated");
        }
        int ax = Shapes.axis(axis, nd);
        long[] shape = arrays[0].shape();
        long total = 0;
        DType[] types = new DType[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            NDArray a = arrays[i];
            types[i] = a.dtype();
            if (a.ndim() != nd) {
                throw new IllegalArgumentException("all the input arrays must have the same number of dimensions, but"
                        + " array 0 has " + nd + " dimension(s) and array " + i + " has " + a.ndim());
            }
            for (int d = 0; d < nd; d++) {
                if (d != ax && a.shape(d) != shape[d]) {
                    throw new IllegalArgumentException("all the input array dimensions except for the concatenation"
                            + " axis must match exactly, but along dimension " + d + ", array 0 has size " + shape[d]
                            + " and array " + i + " has size " + a.shape(d) + " (shapes " + Shapes.str(shape) + " and "
                            + Shapes.str(a.shapeRef()) + ")");
                }
            }
            total += a.shape(ax);
        }
        shape[ax] = total;
        NDArray out = NDArray.empty(Promotion.resultType(types), shape);
        long at = 0;
        for (NDArray a : arrays) {
            long len = a.shape(ax);
            if (len > 0) {
                try (NDArray part = out.slice(ax, at, at + len, 1)) {
                    Copier.copy(a, part);
                }
            }
            at += len;
        }
        return out;
    }

    static NDArray stack(int axis, NDArray... arrays) {
        if (arrays.length == 0) {
            throw new IllegalArgumentException("need at least one array to stack");
        }
        long[] shape = arrays[0].shape();
        for (int i = 1; i < arrays.length; i++) {
            if (!Arrays.equals(arrays[i].shapeRef(), shape)) {
                throw new IllegalArgumentException("all input arrays must have the same shape, but array 0 has shape "
                        + Shapes.str(shape) + " and array " + i + " has shape " + Shapes.str(arrays[i].shapeRef()));
            }
        }
        int ax = Shapes.axis(axis, shape.length + 1);
        NDArray[] expanded = new NDArray[arrays.length];
        try {
            for (int i = 0; i < arrays.length; i++) {
                expanded[i] = arrays[i].unsqueeze(ax);
            }
            return concatenate(ax, expanded);
        } finally {
            for (NDArray view : expanded) {
                if (view != null) {
                    view.close();
                }
            }
        }
    }
}
