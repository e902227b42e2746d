package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import java.util.Arrays;

/** Shape and stride arithmetic shared by arrays and ops. */
final class Shapes {
    private Shapes() {
    }

    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in shape " + Arrays.toString(shape));
            }
            long product = n * d;
            if (d != 0 && (product / d != n || product < 0)) {
                throw new IllegalArgumentException("shape " + str(shape) + " has more elements than a long can count"
                        + " (2^63 - 1): check the shape (a dimension may be a byte count or uninitialised)");
            }
            n = product;
        }
        return n;
    }

    /** The index (C order) of the element at position {@code flat} of an array of {@code shape}. */
    static long[] unravel(long flat, long[] shape) {
        long[] index = new long[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            index[k] = flat % shape[k];
            flat /= shape[k];
        }
        return index;
    }

    /** Steps {@code index} to the next element of {@code shape} in C order (past the last: all zeros). */
    static void increment(long[] index, long[] shape) {
        for (int k = shape.length - 1; k >= 0; k--) {
            if (++index[k] < shape[k]) {
                return;
            }
            index[k] = 0;
        }
    }

    /** The bytes an array of {@code shape} and {@code dtype} needs, refusing sizes past 2^63 - 1 with the shape. */
    static long byteSize(long[] shape, DType dtype) {
        long n = size(shape);
        if (n > Long.MAX_VALUE / dtype.byteSize()) {
            throw new IllegalArgumentException("an array of shape " + str(shape) + " and dtype " + dtype.numpyName()
                    + " needs more than 2^63 - 1 bytes: check the shape");
        }
        return n * dtype.byteSize();
    }

    static int axis(int axis, int ndim) {
        int a = axis < 0 ? axis + ndim : axis;
        if (a < 0 || a >= ndim) {
            throw new IllegalArgumentException("axis " + axis + " is out of bounds for array of dimension " + ndim);
        }
        return a;
    }

    static boolean isC(long[] shape, long[] strides, long itemSize) {
        long expected = itemSize;
        for (long d : shape) {
            if (d == 0) {
                return true;
            }
        }
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1) {
                if (strides[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
        }
        return true;
    }

    static boolean isF(long[] shape, long[] strides, long itemSize) {
        long expected = itemSize;
        for (long d : shape) {
            if (d == 0) {
                return true;
            }
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1) {
                if (strides[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
        }
        return true;
    }

    /** Resolves a single -1 and checks the total size. */
    static long[] resolveShape(long[] newShape, long size) {
        long[] s = newShape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("can only specify one unknown dimension (-1) in "
                            + Arrays.toString(newShape));
                }
                unknown = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("negative dimension " + s[i] + " in " + Arrays.toString(newShape));
            } else {
                known *= s[i];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || size % known != 0) {
                throw new IllegalArgumentException("cannot reshape array of size " + size + " into shape "
                        + Arrays.toString(newShape));
            }
            s[unknown] = size / known;
        } else if (known != size) {
            throw new IllegalArgumentException("cannot reshape array of size " + size + " into shape "
                    + Arrays.toString(newShape));
        }
        return s;
    }

    /**
     * NumPy's {@code _attempt_nocopy_reshape} (C order): the new strides if the reshape can be a view,
     * else null. {@code newShape} must already be resolved and of equal size.
     */
    static long[] nocopyReshape(long[] oldShape, long[] oldStrides, long[] newShape, long itemSize) {
        // size-0 arrays: any shape is a view
        long size = 1;
        for (long d : oldShape) {
            size *= d;
        }
        if (size == 0) {
            return Strides.cOrder(newShape, itemSize);
        }
        // drop axes of length 1
        int oldnd = 0;
        long[] olddims = new long[oldShape.length];
        long[] oldstrides = new long[oldShape.length];
        for (int i = 0; i < oldShape.length; i++) {
            if (oldShape[i] != 1) {
                olddims[oldnd] = oldShape[i];
                oldstrides[oldnd] = oldStrides[i];
                oldnd++;
            }
        }
        int newnd = newShape.length;
        long[] newstrides = new long[newnd];
        int oi = 0, oj = 1, ni = 0, nj = 1;
        while (ni < newnd && oi < oldnd) {
            long np = newShape[ni];
            long op = olddims[oi];
            while (np != op) {
                if (np < op) {
                    np *= newShape[nj++];
                } else {
                    op *= olddims[oj++];
                }
            }
            for (int ok = oi; ok < oj - 1; ok++) {
                if (oldstrides[ok] != olddims[ok + 1] * oldstrides[ok + 1]) {
                    return null;
                }
            }
            newstrides[nj - 1] = oldstrides[oj - 1];
            for (int nk = nj - 1; nk > ni; nk--) {
                newstrides[nk - 1] = newstrides[nk] * newShape[nk];
            }
            ni = nj++;
            oi = oj++;
        }
        long last = ni >= 1 ? newstrides[ni - 1] : itemSize;
        for (int nk = ni; nk < newnd; nk++) {
            newstrides[nk] = last;
        }
        return newstrides;
    }

    static String str(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        if (shape.length == 1) {
            sb.append(',');
        }
        return sb.append(')').toString();
    }

    /** The dtypes NDArray cannot hold (tensor-only: complex32, float8). */
    static IllegalArgumentException notArrayType(DType dtype) {
        return new IllegalArgumentException("dtype " + dtype.torchName() + " is tensor-only: NDArray holds NumPy's"
                + " dtypes; convert the tensor first, e.g. tensor.to(DType.FLOAT32)");
    }

    /** {@code dtype}, unless NDArray cannot hold it. */
    static DType arrayType(DType dtype) {
        if (!java.util.Objects.requireNonNull(dtype, "dtype").isArrayType()) {
            throw notArrayType(dtype);
        }
        return dtype;
    }
}
