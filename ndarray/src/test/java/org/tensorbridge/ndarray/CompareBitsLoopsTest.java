package org.tensorbridge.ndarray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The compare loops that store eight results at a time from their masks' bits ({@code gt_f64_bits} and the rest:
 * selected where a compare's lanes fill less than a 64-bit byte vector, float64 on AVX2) give the scalar loops'
 * bytes, on every machine, whichever loop {@link LoopSelector} picks there: every comparison of float32, float64
 * and int32, both operands or one scalar, NaN, signed zeros and ties, lengths around the group of eight and the
 * vector, outputs at odd addresses. The scalar loops are checked against NumPy by the cross-check tests.
 */
class CompareBitsLoopsTest {
    private static final String[] OPS = {"eq", "ne", "lt", "le", "gt", "ge"};
    private static final int[] LENGTHS = {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000};

    @Test
    void bitsLoopsGiveTheScalarLoopsResults() throws Exception {
        assumeTrue(LoopSelector.VECTOR, "the Vector API loops are off (no jdk.incubator.vector)");
        Random rng = new Random(5);
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (String t : new String[] {"f32", "f64", "i32"}) {
                int item = t.equals("f64") ? 8 : 4;
                MemorySegment x = arena.allocate(1100L * item + 8);
                MemorySegment y = arena.allocate(1100L * item + 8);
                for (long i = 0; i < 1100; i++) {
                    fill(t, x, i, rng);
                    // every fourth element of y equals x's: ties for eq, le, ge
                    if (i % 4 == 0) {
                        MemorySegment.copy(x, i * item, y, i * item, item);
                    } else {
                        fill(t, y, i, rng);
                    }
                }
                for (String op : OPS) {
                    Method bits = method(VectorLoops.class, op + "_" + t + "_bits");
                    Method scalar = method(Loops.class, op + "_" + t);
                    for (int n : LENGTHS) {
                        for (long oz : new long[] {0, 3}) {
                            // both operands, from one element in; then y's element 5 as the scalar operand
                            checked += compare(bits, scalar, x, item, y, item, item, oz, n, op + "_" + t);
                            checked += compare(bits, scalar, x, 0, y, 5L * item, 0, oz, n, op + "_" + t + " scalar");
                        }
                    }
                }
            }
        }
        assertEquals(3 * OPS.length * LENGTHS.length * 4, checked);
    }

    private static final double[] SPECIALS = {Double.NaN, 0.0, -0.0, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY};

    /** Element i of s: one in five a special value (floats), else random; int32 in -3..3 (many ties). */
    private static void fill(String t, MemorySegment s, long i, Random rng) {
        double v = rng.nextInt(5) == 0 ? SPECIALS[rng.nextInt(SPECIALS.length)] : rng.nextDouble() - 0.5;
        switch (t) {
            case "f32" -> s.set(Elements.F32, i * 4, (float) v);
            case "f64" -> s.set(Elements.F64, i * 8, v);
            default -> s.set(Elements.I32, i * 4, rng.nextInt(7) - 3);
        }
    }

    private static Method method(Class<?> owner, String name) throws NoSuchMethodException {
        Method m = owner.getDeclaredMethod(name, MemorySegment.class, long.class, long.class, MemorySegment.class,
                long.class, long.class, MemorySegment.class, long.class, long.class, long.class);
        m.setAccessible(true);
        return m;
    }

    /** Runs both loops over n elements (y at stride sy: the item, or 0 for a scalar) and compares their bytes. */
    private static int compare(Method bits, Method scalar, MemorySegment x, long ox, MemorySegment y, long oy,
            long sy, long oz, int n, String what) throws Exception {
        long item = bits.getName().contains("f64") ? 8 : 4;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment expected = arena.allocate(n + oz + 8);
            MemorySegment actual = arena.allocate(n + oz + 8);
            expected.fill((byte) 7);
            actual.fill((byte) 7);
            scalar.invoke(null, x, ox, item, y, oy, sy, expected, oz, 1L, (long) n);
            bits.invoke(null, x, ox, item, y, oy, sy, actual, oz, 1L, (long) n);
            for (long i = 0; i < n + oz + 8; i++) {
                assertEquals(expected.get(Elements.I8, i), actual.get(Elements.I8, i),
                        what + ", n " + n + ", output offset " + oz + ": byte " + i);
            }
        }
        return 1;
    }
}
