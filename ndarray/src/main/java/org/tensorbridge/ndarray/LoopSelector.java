package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

/**
 * Picks the loop for an operation: the Vector API version ({@link VectorLoops}) when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (every launcher of this project does; measured 2-13x faster per
 * element than C2's output for MemorySegment loops, which JDK 25 does not auto-vectorise), else the scalar
 * loop of {@link Loops}. {@code -Dtensorbridge.vector=false} forces the scalar loops.
 */
final class LoopSelector {
    private LoopSelector() {
    }

    /** Whether the Vector API loops are in use. */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("tensorbridge.vector")) && vectorWorks();

    private static boolean vectorWorks() {
        try {
            return VectorLoops.F.length() >= 4;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    static Loops.Binary binary(String op, DType t) {
        Loops.Binary s = Loops.binary(op, t);
        if (VECTOR && s != null) {
            Loops.Binary v = VectorLoops.binary(op, t);
            if (v != null) {
                return v;
            }
        }
        return s;
    }

    static Loops.Unary unary(String op, DType t) {
        Loops.Unary s = Loops.unary(op, t);
        if (VECTOR && s != null) {
            Loops.Unary v = VectorLoops.unary(op, t);
            if (v != null) {
                return v;
            }
        }
        return s;
    }

    static Loops.Unary cast(DType f, DType t) {
        Loops.Unary s = Loops.cast(f, t);
        if (VECTOR && s != null) {
            Loops.Unary v = VectorLoops.cast(f, t);
            if (v != null) {
                return v;
            }
        }
        return s;
    }

    static Loops.Ternary where(int itemSize) {
        Loops.Ternary s = Loops.where(itemSize);
        if (VECTOR && s != null) {
            Loops.Ternary v = VectorLoops.where(itemSize);
            if (v != null) {
                return v;
            }
        }
        return s;
    }
}
