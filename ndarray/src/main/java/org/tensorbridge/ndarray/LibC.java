package org.tensorbridge.ndarray;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The C library functions this package calls, looked up once: each is null where native access is off or the
 * symbol is missing, and its user falls back to Java (the FFM's own allocation and copies).
 */
final class LibC {
    private LibC() {
    }

    /** {@code void free(void *)}, for memory from {@link #downcall}ed allocators. */
    static final MethodHandle FREE = downcall("free", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));

    /** {@code name} as a downcall handle, or null without native access or such a symbol. */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        try {
            if (!LibC.class.getModule().isNativeAccessEnabled()) {
                return null;
            }
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find(name).map(address -> linker.downcallHandle(address, descriptor, options))
                    .orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
