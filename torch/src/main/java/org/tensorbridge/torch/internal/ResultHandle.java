package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/** The values an operator returned, held natively until read and freed. */
public final class ResultHandle {
    /** Value kinds (enum tb_value_kind). */
    public static final int NONE = 0, TENSOR = 1, INT = 2, DOUBLE = 3, BOOL = 4, TENSOR_LIST = 5, INT_LIST = 6,
            DOUBLE_LIST = 7, STRING = 8, OTHER = 9;

    private final MemorySegment pointer;

    ResultHandle(MemorySegment pointer) {
        this.pointer = pointer;
    }

    public int count() {
        MemorySegment out = Scratch.get(4);
        try {
            Status.check((int) Native.RESULT_COUNT.invokeExact(pointer, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_INT, 0);
    }

    public int kind(int index) {
        MemorySegment out = Scratch.get(4);
        try {
            Status.check((int) Native.RESULT_KIND.invokeExact(pointer, index, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_INT, 0);
    }

    public long listSize(int index) {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.RESULT_LIST_SIZE.invokeExact(pointer, index, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_LONG, 0);
    }

    /** The tensor at {@code index} (element of a list when {@code element >= 0}); null for None. */
    public TensorHandle tensor(int index, long element) {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.RESULT_TENSOR.invokeExact(pointer, index, element, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return TensorHandle.ofNullable(out.get(ADDRESS, 0));
    }

    public long intValue(int index, long element) {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.RESULT_INT.invokeExact(pointer, index, element, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_LONG, 0);
    }

    public double doubleValue(int index, long element) {
        MemorySegment out = Scratch.get(8);
        try {
            Status.check((int) Native.RESULT_DOUBLE.invokeExact(pointer, index, element, out));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        return out.get(JAVA_DOUBLE, 0);
    }

    public String string(int index) {
        try {
            return OpHandle.readString((buffer, capacity, needed) ->
                    (int) Native.RESULT_STRING.invokeExact(pointer, index, buffer, capacity, needed));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public void free() {
        try {
            Status.check((int) Native.RESULT_FREE.invokeExact(pointer));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }
}
