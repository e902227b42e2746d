package org.tensorbridge.data;

import java.util.List;
import org.tensorbridge.core.Scope;
import org.tensorbridge.core.ScopeLink;
import org.tensorbridge.core.Scoped;
import org.tensorbridge.torch.Tensor;

/**
 * One batch: a tensor per field, of shape {@code [rows, field shape...]}, on the loader's device. It belongs
 * to the scope open on the consuming thread (or to its consumer, who closes it); closing it also hands its
 * buffer back to the loader's workers.
 */
public final class Batch implements Scoped {
    private final List<Field> fields;
    private final Tensor[] tensors;
    private final int rows;
    private final long index;
    private final Runnable release;
    private final ScopeLink scopeLink;
    private boolean closed;

    Batch(List<Field> fields, Tensor[] tensors, int rows, long index, Runnable release) {
        this.fields = fields;
        this.tensors = tensors;
        this.rows = rows;
        this.index = index;
        this.release = release;
        this.scopeLink = ScopeLink.join(this);
    }

    /** The tensor of field {@code f} (in the dataset's field order). */
    public Tensor get(int f) {
        checkOpen();
        return tensors[f];
    }

    /** The tensor of the field named {@code name}. */
    public Tensor get(String name) {
        for (int f = 0; f < fields.size(); f++) {
            if (fields.get(f).name().equals(name)) {
                return get(f);
            }
        }
        throw new IllegalArgumentException("no field '" + name + "' in this batch; its fields are " + fields.stream()
                .map(Field::name).toList());
    }

    /** Samples in this batch (the last one of an epoch may be smaller unless dropLast). */
    public int size() {
        return rows;
    }

    /** This batch's position in its epoch, from 0. */
    public long index() {
        return index;
    }

    public List<Field> fields() {
        return fields;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("batch " + index + " was closed: its tensors were freed and its buffer"
                    + " went back to the loader; clone() a tensor to keep it beyond the batch");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scopeLink.leave();
        for (Tensor tensor : tensors) {
            tensor.close();
        }
        release.run();
    }

    @Override
    public void moveScope(Scope from, Scope to) {
        scopeLink.move(from, to);
        for (Tensor tensor : tensors) {
            tensor.moveScope(from, to);
        }
    }
}
