package org.tensorbridge.data;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorbridge.core.Scoped;
import org.tensorbridge.core.Scope;
import org.tensorbridge.core.ScopeLink;
import org.tensorbridge.ndarray.NDArray;

/**
 * Samples along the first axis of one or more arrays (features and labels, ...), in memory or mmap'd from
 * .npy / .npz / safetensors / IDX files. The dataset holds its own view of each array (made C-contiguous
 * once if needed) and closes it with itself; reading a sample is one memory copy per field.
 */
public final class ArrayDataset implements Dataset, Scoped {
    private final List<Field> fields;
    private final NDArray[] arrays;
    private final long size;
    private final ScopeLink scopeLink;

    private ArrayDataset(Map<String, NDArray> named) {
        if (named.isEmpty()) {
            throw new IllegalArgumentException("an ArrayDataset needs at least one array");
        }
        List<Field> list = new ArrayList<>();
        NDArray[] views = new NDArray[named.size()];
        long rows = -1;
        int i = 0;
        try (Scope scope = Scope.open()) {
            for (var entry : named.entrySet()) {
                NDArray array = entry.getValue();
                if (array.ndim() == 0) {
                    throw new IllegalArgumentException("array '" + entry.getKey() + "' is 0-dimensional: samples run"
                            + " along the first axis, so give it at least one");
                }
                if (rows >= 0 && array.shape(0) != rows) {
                    throw new IllegalArgumentException("array '" + entry.getKey() + "' has " + array.shape(0)
                            + " samples but the arrays before it have " + rows + ": every field needs one row per sample");
                }
                rows = array.shape(0);
                views[i++] = scope.detach(array.ascontiguous());  // the dataset's own, closed with it
                long[] shape = Arrays.copyOfRange(array.shape(), 1, array.ndim());
                list.add(new Field(entry.getKey(), array.dtype(), shape));
            }
        } catch (RuntimeException e) {
            for (NDArray view : views) {
                if (view != null) {
                    view.close();
                }
            }
            throw e;
        }
        this.fields = List.copyOf(list);
        this.arrays = views;
        this.size = rows;
        this.scopeLink = ScopeLink.join(this);
    }

    /** Fields named as given, in the map's order (use a LinkedHashMap or Map.of for one field). */
    public static ArrayDataset of(Map<String, NDArray> arrays) {
        return new ArrayDataset(arrays);
    }

    /** Two fields, "x" and "y": the usual features and labels. */
    public static ArrayDataset of(NDArray x, NDArray y) {
        var named = new java.util.LinkedHashMap<String, NDArray>();
        named.put("x", x);
        named.put("y", y);
        return new ArrayDataset(named);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public List<Field> fields() {
        return fields;
    }

    /** The (C-contiguous) array of field {@code f}, owned by this dataset: for loaders that keep it whole on a device. */
    public NDArray array(int f) {
        return arrays[f];
    }

    @Override
    public void read(long index, Rows rows) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("sample " + index + " of a dataset of " + size);
        }
        for (int f = 0; f < arrays.length; f++) {
            long bytes = fields.get(f).bytes();
            MemorySegment.copy(arrays[f].segment(), index * bytes, rows.field(f), rows.offset(f), bytes);
        }
    }

    /** Closes the dataset's views of its arrays (the arrays given to {@link #of} stay their owners'). */
    @Override
    public void close() {
        scopeLink.leave();
        for (NDArray array : arrays) {
            array.close();
        }
    }

    @Override
    public void moveScope(Scope from, Scope to) {
        scopeLink.move(from, to);
    }
}
