package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Encodes operator arguments into the shim's 32-byte slots ({@code {tag, a, b, name}}, tensorbridge.h)
 * followed by their list and string payloads, all in one native area that also holds the call's two
 * out-pointers — the thread's scratch area, or an
 * arena of its own when the payload is large. Use one writer for one call.
 */
public final class ArgWriter implements AutoCloseable {
    static final int SLOT = 32;
    private static final long OUTPUTS = 16;
    static final int DEFAULT = 0, NONE = 1, TENSOR = 2, INT = 3, DOUBLE = 4, BOOL = 5, INT_LIST = 6, DOUBLE_LIST = 7,
            TENSOR_LIST = 8, OPT_TENSOR_LIST = 9, SCALAR_TYPE = 10, DEVICE = 11, STRING = 12, BOOL_LIST = 13,
            LAYOUT = 14, MEMORY_FORMAT = 15;

    private final Arena arena;
    private final MemorySegment area;
    private final int capacity;
    private int count;
    private long payload;
    private MemorySegment pendingName = MemorySegment.NULL;

    /** A writer for at most {@code slots} arguments and {@code payloadBytes} of lists and strings. */
    public ArgWriter(int slots, long payloadBytes) {
        long bytes = OUTPUTS + (long) slots * SLOT + payloadBytes;
        this.capacity = slots;
        this.payload = OUTPUTS + (long) slots * SLOT;
        if (bytes <= Scratch.SIZE) {
            this.arena = null;
            this.area = Scratch.get(bytes);
        } else {
            this.arena = Arena.ofConfined();
            this.area = arena.allocate(bytes, 16);
        }
    }

    /** The number of payload bytes a value needs besides its slot (lists, strings, names). */
    public static long payloadBytes(long elements, long elementSize) {
        return (elements * elementSize + 15) & ~15L;
    }

    /** Names the next argument (a keyword argument). */
    public ArgWriter name(String name) {
        pendingName = payloadString(name);
        return this;
    }

    public ArgWriter useDefault() {
        return slot(DEFAULT, 0, 0);
    }

    public ArgWriter none() {
        return slot(NONE, 0, 0);
    }

    public ArgWriter tensor(TensorHandle tensor) {
        return slot(TENSOR, tensor == null ? 0 : tensor.pointer.address(), 0);
    }

    public ArgWriter intValue(long value) {
        return slot(INT, value, 0);
    }

    public ArgWriter doubleValue(double value) {
        return slot(DOUBLE, Double.doubleToRawLongBits(value), 0);
    }

    public ArgWriter boolValue(boolean value) {
        return slot(BOOL, value ? 1 : 0, 0);
    }

    public ArgWriter scalarType(int code) {
        return slot(SCALAR_TYPE, code, 0);
    }

    public ArgWriter layout(int code) {
        return slot(LAYOUT, code, 0);
    }

    public ArgWriter memoryFormat(int code) {
        return slot(MEMORY_FORMAT, code, 0);
    }

    public ArgWriter device(int type, int index) {
        return slot(DEVICE, type, index);
    }

    public ArgWriter intList(long[] values) {
        long at = reserve(values.length * 8L);
        MemorySegment.copy(values, 0, area, JAVA_LONG, at, values.length);
        return slot(INT_LIST, area.address() + at, values.length);
    }

    public ArgWriter doubleList(double[] values) {
        long at = reserve(values.length * 8L);
        MemorySegment.copy(values, 0, area, JAVA_DOUBLE, at, values.length);
        return slot(DOUBLE_LIST, area.address() + at, values.length);
    }

    public ArgWriter boolList(boolean[] values) {
        long at = reserve(values.length);
        for (int i = 0; i < values.length; i++) {
            area.set(JAVA_BYTE, at + i, (byte) (values[i] ? 1 : 0));
        }
        return slot(BOOL_LIST, area.address() + at, values.length);
    }

    /** A tensor list; {@code optional} lists (Tensor?[]) may hold nulls. */
    public ArgWriter tensorList(TensorHandle[] tensors, boolean optional) {
        long at = reserve(tensors.length * 8L);
        for (int i = 0; i < tensors.length; i++) {
            area.set(ADDRESS, at + 8L * i, tensors[i] == null ? MemorySegment.NULL : tensors[i].pointer);
        }
        return slot(optional ? OPT_TENSOR_LIST : TENSOR_LIST, area.address() + at, tensors.length);
    }

    public ArgWriter string(String value) {
        MemorySegment text = payloadString(value);
        return slot(STRING, text.address(), text.byteSize() - 1);
    }

    int count() {
        return count;
    }

    MemorySegment slots() {
        return area.asSlice(OUTPUTS);
    }

    /** Two pointer-sized out-parameters for the call. */
    MemorySegment outputs() {
        return area.asSlice(0, OUTPUTS);
    }

    private MemorySegment payloadString(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        long at = reserve(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, area, JAVA_BYTE, at, bytes.length);
        area.set(JAVA_BYTE, at + bytes.length, (byte) 0);
        return area.asSlice(at, bytes.length + 1L);
    }

    private long reserve(long bytes) {
        long at = payload;
        payload += (bytes + 15) & ~15L;
        if (payload > area.byteSize()) {
            throw new IllegalStateException("operator argument payload larger than reserved (" + area.byteSize() + " bytes)");
        }
        return at;
    }

    private ArgWriter slot(long tag, long a, long b) {
        if (count == capacity) {
            throw new IllegalStateException("more arguments than reserved (" + capacity + ")");
        }
        long at = OUTPUTS + (long) count++ * SLOT;
        area.set(JAVA_LONG, at, tag);
        area.set(JAVA_LONG, at + 8, a);
        area.set(JAVA_LONG, at + 16, b);
        area.set(ADDRESS, at + 24, pendingName);
        pendingName = MemorySegment.NULL;
        return this;
    }

    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }
}
