package org.tensorbridge.torch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorbridge.core.Scope;
import org.tensorbridge.core.Scoped;
import org.tensorbridge.torch.internal.ResultHandle;
import org.tensorbridge.torch.internal.TensorHandle;

/**
 * What an operator returned, in schema order: {@link Tensor}, {@code Long}, {@code Double}, {@code Boolean},
 * {@code List<Tensor>}, {@code long[]}, {@code double[]}, {@code String} or {@code null} (None).
 * Closing the result closes the tensors it holds, except those taken with {@link #takeTensor(int)}. Its
 * tensors belong to the scope open when the operator ran, like any tensor.
 */
public final class OpResult implements Scoped {
    private final List<Object> values;

    private OpResult(List<Object> values) {
        this.values = values;
    }

    static OpResult of(Tensor tensor) {
        List<Object> values = new ArrayList<>(1);
        values.add(tensor);
        return new OpResult(values);
    }

    /** Converts every returned value to Java and frees the native result. */
    static OpResult read(ResultHandle result) {
        List<Object> values = new ArrayList<>();
        try {
            int count = result.count();
            for (int i = 0; i < count; i++) {
                values.add(switch (result.kind(i)) {
                    case ResultHandle.NONE -> null;
                    case ResultHandle.TENSOR -> Tensor.own(result.tensor(i, -1));
                    case ResultHandle.INT -> result.intValue(i, -1);
                    case ResultHandle.DOUBLE -> result.doubleValue(i, -1);
                    case ResultHandle.BOOL -> result.intValue(i, -1) != 0;
                    case ResultHandle.TENSOR_LIST -> tensors(result, i);
                    case ResultHandle.INT_LIST -> longs(result, i);
                    case ResultHandle.DOUBLE_LIST -> doubles(result, i);
                    case ResultHandle.STRING -> result.string(i);
                    default -> throw new TorchException("operator returned a value of a kind tensorbridge does not map");
                });
            }
        } catch (RuntimeException e) {
            new OpResult(values).close();
            throw e;
        } finally {
            result.free();
        }
        return new OpResult(values);
    }

    private static List<Tensor> tensors(ResultHandle result, int index) {
        long size = result.listSize(index);
        List<Tensor> tensors = new ArrayList<>((int) size);
        for (long j = 0; j < size; j++) {
            TensorHandle handle = result.tensor(index, j);
            tensors.add(handle == null ? null : Tensor.own(handle));
        }
        return Collections.unmodifiableList(tensors);
    }

    private static long[] longs(ResultHandle result, int index) {
        long[] values = new long[(int) result.listSize(index)];
        for (int j = 0; j < values.length; j++) {
            values[j] = result.intValue(index, j);
        }
        return values;
    }

    private static double[] doubles(ResultHandle result, int index) {
        double[] values = new double[(int) result.listSize(index)];
        for (int j = 0; j < values.length; j++) {
            values[j] = result.doubleValue(index, j);
        }
        return values;
    }

    public int size() {
        return values.size();
    }

    public Object get(int index) {
        return values.get(index);
    }

    /** The tensor at {@code index}, still owned by this result (closed with it). */
    public Tensor tensor(int index) {
        return expect(index, Tensor.class);
    }

    /**
     * The only value, a tensor, handed to the caller; for an operator that returns more than one value this
     * closes them all and throws, naming the results (never drops one silently).
     */
    Tensor takeOnlyTensor(String operator) {
        if (values.size() != 1 || !(values.get(0) instanceof Tensor)) {
            String kinds = values.stream().map(v -> v == null ? "None" : v instanceof List<?> ? "Tensor[]"
                    : v.getClass().getSimpleName()).toList().toString();
            close();
            throw new TorchArgumentException(operator + " returns " + values.size() + " values " + kinds
                    + ", not one tensor: call Op.call(...) (or op.call(...)) and take each value from the OpResult,"
                    + " e.g. result.takeTensor(0)");
        }
        return takeTensor(0);
    }

    /** The tensor at {@code index}, handed to the caller, who closes it. */
    public Tensor takeTensor(int index) {
        Tensor tensor = tensor(index);
        values.set(index, null);
        return tensor;
    }

    @SuppressWarnings("unchecked")
    public List<Tensor> tensors(int index) {
        return expect(index, List.class);
    }

    /** The tensor list at {@code index}, handed to the caller, who closes each tensor. */
    public List<Tensor> takeTensors(int index) {
        List<Tensor> tensors = tensors(index);
        values.set(index, null);
        return tensors;
    }

    public long longValue(int index) {
        return expect(index, Long.class);
    }

    public double doubleValue(int index) {
        Object value = values.get(index);
        return value instanceof Long l ? l : expect(index, Double.class);
    }

    public boolean boolValue(int index) {
        return expect(index, Boolean.class);
    }

    private <T> T expect(int index, Class<T> type) {
        Object value = values.get(index);
        if (!type.isInstance(value)) {
            throw new IllegalStateException("result " + index + " is " + (value == null ? "None (or already taken)"
                    : "a " + value.getClass().getSimpleName()) + ", not a " + type.getSimpleName());
        }
        return type.cast(value);
    }

    @Override
    public void moveScope(Scope from, Scope to) {
        for (Object value : values) {
            if (value instanceof Tensor tensor) {
                tensor.moveScope(from, to);
            } else if (value instanceof List<?> list) {
                for (Object element : list) {
                    if (element instanceof Tensor tensor) {
                        tensor.moveScope(from, to);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        for (Object value : values) {
            if (value instanceof Tensor tensor) {
                tensor.close();
            } else if (value instanceof List<?> list) {
                for (Object element : list) {
                    if (element instanceof Tensor tensor) {
                        tensor.close();
                    }
                }
            }
        }
        values.replaceAll(v -> v instanceof Tensor || v instanceof List<?> ? null : v);
    }
}
