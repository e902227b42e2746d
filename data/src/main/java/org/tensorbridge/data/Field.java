package org.tensorbridge.data;

import java.util.Arrays;
import org.tensorbridge.core.DType;

/**
 * One field of every sample (features, label, ...): its name, dtype and per-sample shape. A batch holds it as
 * a tensor of shape {@code [batch, shape...]}.
 */
public record Field(String name, DType dtype, long[] shape) {
    public Field {
        shape = shape.clone();
        if (!dtype.isArrayType()) {
            throw new IllegalArgumentException("field " + name + ": dtype " + dtype.torchName() + " has no array layout");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Elements of one sample of this field. */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes of one sample of this field. */
    public long bytes() {
        return Math.multiplyExact(elements(), dtype.byteSize());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Field f && name.equals(f.name) && dtype == f.dtype && Arrays.equals(shape, f.shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + ": " + dtype.numpyName() + Arrays.toString(shape);
    }
}
