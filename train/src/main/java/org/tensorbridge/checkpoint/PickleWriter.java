package org.tensorbridge.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.tensorbridge.torch.Tensor;

/**
 * Pickle protocol 2, the subset torch.save uses: None, bool, int, float, str, list, tuple (Java arrays of
 * numbers), dict (Map; a Map of tensors becomes collections.OrderedDict, as module state dicts are) and
 * tensors as {@code torch._utils._rebuild_tensor_v2} over a persistent storage id.
 */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    /** Assigns each tensor its storage key ("0", "1", ...). */
    private final ToIntFunction<Tensor> storageKey;

    PickleWriter(ToIntFunction<Tensor> storageKey) {
        this.storageKey = storageKey;
    }

    byte[] dump(Object value) {
        out.write(0x80);  // PROTO
        out.write(2);
        write(value);
        out.write('.');   // STOP
        return out.toByteArray();
    }

    private void write(Object value) {
        switch (value) {
            case null -> out.write('N');
            case Boolean b -> out.write(b ? 0x88 : 0x89);
            case Integer i -> writeInt(i);
            case Long l -> writeInt(l);
            case Double d -> writeFloat(d);
            case Float f -> writeFloat(f);
            case String s -> writeString(s);
            case Tensor t -> writeTensor(t);
            case double[] a -> {
                List<Object> items = new ArrayList<>();
                for (double v : a) {
                    items.add(v);
                }
                writeTuple(items);
            }
            case long[] a -> {
                List<Object> items = new ArrayList<>();
                for (long v : a) {
                    items.add(v);
                }
                writeTuple(items);
            }
            case Map<?, ?> m -> writeMap(m);
            case Collection<?> c -> {
                out.write(']');  // EMPTY_LIST
                if (!c.isEmpty()) {
                    out.write('(');  // MARK
                    for (Object o : c) {
                        write(o);
                    }
                    out.write('e');  // APPENDS
                }
            }
            default -> throw new IllegalArgumentException("cannot save a " + value.getClass().getName()
                    + " in a checkpoint: use tensors, numbers, strings, booleans, null, lists, maps and double[]/long[] (tuples)");
        }
    }

    private void writeMap(Map<?, ?> m) {
        boolean ordered = !m.isEmpty() && m.values().stream().allMatch(v -> v instanceof Tensor);
        if (ordered) {
            writeGlobal("collections", "OrderedDict");
            out.write(')');  // EMPTY_TUPLE
            out.write('R');  // REDUCE
        } else {
            out.write('}');  // EMPTY_DICT
        }
        if (!m.isEmpty()) {
            out.write('(');
            for (Map.Entry<?, ?> e : m.entrySet()) {
                write(e.getKey());
                write(e.getValue());
            }
            out.write('u');  // SETITEMS
        }
    }

    private void writeTuple(List<Object> items) {
        if (items.isEmpty()) {
            out.write(')');
            return;
        }
        out.write('(');
        for (Object o : items) {
            write(o);
        }
        out.write('t');  // TUPLE
    }

    private void writeTensor(Tensor t) {
        int key = storageKey.applyAsInt(t);
        long[] shape = t.shape();
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        writeGlobal("torch._utils", "_rebuild_tensor_v2");
        out.write('(');
        // persistent id: ('storage', torch.<Type>Storage, key, location, numel)
        out.write('(');
        writeString("storage");
        writeGlobal("torch", StorageTypes.nameOf(t.dtype()));
        writeString(Integer.toString(key));
        writeString("cpu");
        writeInt(t.numel());
        out.write('t');
        out.write('Q');  // BINPERSID
        writeInt(0);
        write(shape);
        write(strides);
        out.write(0x89);  // requires_grad False
        writeGlobal("collections", "OrderedDict");
        out.write(')');
        out.write('R');
        out.write('t');
        out.write('R');
    }

    private void writeGlobal(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void writeInt(long v) {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v < 65536) {
            out.write('M');
            out.write((int) (v & 0xff));
            out.write((int) (v >>> 8));
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)) & 0xff);
            }
        } else {
            out.write(0x8a);  // LONG1, 8 bytes little-endian two's complement
            out.write(8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)) & 0xff);
            }
        }
    }

    private void writeFloat(double d) {
        out.write('G');
        long bits = Double.doubleToRawLongBits(d);
        for (int i = 7; i >= 0; i--) {
            out.write((int) (bits >>> (8 * i)) & 0xff);
        }
    }

    private void writeString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        for (int i = 0; i < 4; i++) {
            out.write((b.length >>> (8 * i)) & 0xff);
        }
        out.writeBytes(b);
    }
}
