package org.tensorbridge.ndarray;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
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

    // Resolved loops by operation name and dtype ordinal(s): the lookup runs on every operation, the switch
    // behind it builds a string. Racy writes are fine: every thread resolves the same immutable loop.
    private static final Object NONE = new Object();
    private static final int TYPES = DType.values().length;
    private static final ConcurrentHashMap<String, Object[]> BINARY = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, Object[]> UNARY = new ConcurrentHashMap<>();
    private static final Object[] CASTS = new Object[TYPES * TYPES];
    private static final Object[] WHERE = new Object[17];
    // the Vector API loops handed out, by identity: staging an operand for a loop (a gather of strided bytes)
    // pays only where a vector loop then runs on it
    private static final java.util.Set<Object> VECTOR_LOOPS = ConcurrentHashMap.newKeySet();

    /** Whether {@code loop} (from this class) is a Vector API loop rather than a scalar one. */
    static boolean isVector(Object loop) {
        return VECTOR_LOOPS.contains(loop);
    }

    private static <T> T vector(T loop) {
        VECTOR_LOOPS.add(loop);
        return loop;
    }

    private static Object memo(Object[] table, int slot, Supplier<Object> resolve) {
        Object loop = table[slot];
        if (loop == null) {
            loop = resolve.get();
            table[slot] = loop == null ? NONE : loop;
        }
        return loop == NONE ? null : loop;
    }

    static Loops.Binary binary(String op, DType t) {
        return (Loops.Binary) memo(BINARY.computeIfAbsent(op, k -> new Object[TYPES]), t.ordinal(), () -> resolveBinary(op, t));
    }

    static Loops.Unary unary(String op, DType t) {
        return (Loops.Unary) memo(UNARY.computeIfAbsent(op, k -> new Object[TYPES]), t.ordinal(), () -> resolveUnary(op, t));
    }

    static Loops.Unary cast(DType f, DType t) {
        return (Loops.Unary) memo(CASTS, f.ordinal() * TYPES + t.ordinal(), () -> resolveCast(f, t));
    }

    static Loops.Ternary where(int itemSize) {
        return (Loops.Ternary) memo(WHERE, itemSize, () -> resolveWhere(itemSize));
    }

    private static Loops.Binary resolveBinary(String op, DType t) {
        Loops.Binary s = Loops.binary(op, t);
        if (VECTOR && s != null) {
            Loops.Binary v = VectorLoops.binary(op, t);
            if (v != null) {
                return vector(v);
            }
        }
        return s;
    }

    private static Loops.Unary resolveUnary(String op, DType t) {
        Loops.Unary s = Loops.unary(op, t);
        if (VECTOR && s != null) {
            Loops.Unary v = VectorLoops.unary(op, t);
            if (v != null) {
                return vector(v);
            }
        }
        return s;
    }

    private static Loops.Unary resolveCast(DType f, DType t) {
        Loops.Unary s = Loops.cast(f, t);
        if (VECTOR && s != null) {
            Loops.Unary v = VectorLoops.cast(f, t);
            if (v != null) {
                return vector(v);
            }
        }
        return s;
    }

    private static Loops.Ternary resolveWhere(int itemSize) {
        Loops.Ternary s = Loops.where(itemSize);
        if (VECTOR && s != null) {
            Loops.Ternary v = VectorLoops.where(itemSize);
            if (v != null) {
                return vector(v);
            }
        }
        return s;
    }
}
