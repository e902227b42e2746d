package org.tensorbridge.torch.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** A TorchScript module loaded by the shim (tb_script_*); freed exactly once by its owner. */
public final class ScriptHandle {
    private static final MethodHandle LOAD = fn("tb_script_load", ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
    private static final MethodHandle FORWARD = fn("tb_script_forward", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
    private static final MethodHandle FREE = fn("tb_script_free", ADDRESS);

    private final MemorySegment pointer;

    private ScriptHandle(MemorySegment pointer) {
        this.pointer = pointer;
    }

    private static MethodHandle fn(String name, java.lang.foreign.MemoryLayout... args) {
        MemorySegment symbol = Native.library().symbols().find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                "symbol " + name + " missing from " + Native.library().path() + ": the shim is older than this jar;"
                        + " rebuild it with torch/native/build.sh"));
        return Native.linker().downcallHandle(symbol, FunctionDescriptor.of(JAVA_INT, args));
    }

    /** Loads {@code path}; deviceType -1 keeps the devices it was saved on. */
    public static ScriptHandle load(String path, int deviceType, int deviceIndex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            Status.check((int) LOAD.invokeExact(arena.allocateFrom(path), deviceType, deviceIndex, out));
            return new ScriptHandle(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    /** forward(inputs...): a new tensor handle the caller owns. */
    public TensorHandle forward(TensorHandle... inputs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment array = arena.allocate(ADDRESS, Math.max(1, inputs.length));
            for (int i = 0; i < inputs.length; i++) {
                array.setAtIndex(ADDRESS, i, inputs[i].pointer);
            }
            MemorySegment out = arena.allocate(ADDRESS);
            Status.check((int) FORWARD.invokeExact(pointer, array, inputs.length, ThreadState.current().segment(), out));
            return new TensorHandle(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }

    public void free() {
        try {
            Status.check((int) FREE.invokeExact(pointer));
        } catch (Throwable t) {
            throw Status.unexpected(t);
        }
    }
}
