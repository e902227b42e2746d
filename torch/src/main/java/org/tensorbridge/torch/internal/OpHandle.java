package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** A resolved ATen operator (name + overload) in the dispatcher; lives for the whole process. */
public final class OpHandle {
    private final MemorySegment pointer;
    private final String name;
    private final String overload;

    private OpHandle(MemorySegment pointer, String name, String overload) {
        this.pointer = pointer;
        this.name = name;
        this.overload = overload;
    }

    /** Looks the operator up; throws {@code TorchException} naming it when the dispatcher lacks it. */
    public static OpHandle find(String name, String overload) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            Status.check((int) Native.OP_FIND.invokeExact(arena.allocateFrom(name), arena.allocateFrom(overload), out));
            return new OpHandle(out.get(ADDRESS, 0), name, overload);
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** The overload names registered under {@code name} ("" is the default overload). */
    public static List<String> overloads(String name) {
        try (Arena arena = Arena.ofConfined()) {
            String joined = readString((buffer, capacity, needed) ->
                    (int) Native.OP_OVERLOADS.invokeExact(arena.allocateFrom(name), buffer, capacity, needed));
            List<String> result = new ArrayList<>();
            for (String overload : joined.split("\n", -1)) {
                result.add(overload);
            }
            result.removeLast();  // every name ends with '\n', so the last piece is empty
            return result;
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public String name() {
        return name;
    }

    /** "aten::add.Tensor", as messages name the operator. */
    public String label() {
        return overload.isEmpty() ? name : name + "." + overload;
    }

    public String overload() {
        return overload;
    }

    /** The schema as libtorch prints it, e.g. {@code aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor}. */
    public String schema() {
        try {
            return readString((buffer, capacity, needed) -> (int) Native.OP_SCHEMA.invokeExact(pointer, buffer, capacity, needed));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** The schema's arguments in order. */
    public List<Argument> arguments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            Status.check((int) Native.OP_NUM_ARGUMENTS.invokeExact(pointer, count));
            List<Argument> arguments = new ArrayList<>();
            MemorySegment argName = arena.allocate(256);
            MemorySegment type = arena.allocate(256);
            MemorySegment flags = arena.allocate(JAVA_INT, 2);
            for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                Status.check((int) Native.OP_ARGUMENT.invokeExact(pointer, i, argName, 256L, type, 256L, flags,
                        flags.asSlice(4)));
                arguments.add(new Argument(argName.getString(0), type.getString(0), flags.get(JAVA_INT, 0) != 0,
                        flags.get(JAVA_INT, 4) != 0));
            }
            return arguments;
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** One schema argument: name, type as printed, whether it has a default, whether keyword-only. */
    public record Argument(String name, String type, boolean hasDefault, boolean keywordOnly) {
    }

    /**
     * Calls the operator with the arguments written to {@code args}. Returns the single tensor result
     * directly (as a handle) when the operator returns exactly one defined tensor, else a result handle.
     */
    public Object call(ArgWriter args) {
        MemorySegment outputs = args.outputs();
        try {
            int status = (int) Native.OP_CALL.invokeExact(pointer, args.slots(), args.count(),
                    ThreadState.current().segment(), outputs, outputs.asSlice(8));
            if (status != Status.OK) {
                // Argument errors already name the operator and its schema; libtorch's own do not.
                String message = Native.lastError();
                throw Status.exception(status, status == Status.ARGUMENT ? message : label() + ": " + message);
            }
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
        MemorySegment tensor = outputs.get(ADDRESS, 0);
        return tensor.address() != 0 ? new TensorHandle(tensor) : new ResultHandle(outputs.get(ADDRESS, 8));
    }

    @FunctionalInterface
    interface StringCall {
        int call(MemorySegment buffer, long capacity, MemorySegment needed) throws Throwable;
    }

    /** Calls a string-returning shim function, growing the buffer once if the first was too small. */
    static String readString(StringCall call) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            long capacity = 4096;
            MemorySegment needed = arena.allocate(JAVA_LONG);
            while (true) {
                MemorySegment buffer = arena.allocate(capacity);
                Status.check(call.call(buffer, capacity, needed));
                if (needed.get(JAVA_LONG, 0) < capacity) {
                    return buffer.getString(0);
                }
                capacity = needed.get(JAVA_LONG, 0) + 1;
            }
        }
    }
}
