package org.tensorbridge.ndarray;

/** NumPy broadcasting rules for shapes. */
public final class Broadcast {
    private Broadcast() {
    }

    /** The broadcast shape of {@code shapes}, or IllegalArgumentException naming all shapes. */
    public static long[] shape(long[]... shapes) {
        int nd = 0;
        for (long[] s : shapes) {
            nd = Math.max(nd, s.length);
        }
        long[] out = new long[nd];
        java.util.Arrays.fill(out, 1);
        for (long[] s : shapes) {
            int lead = nd - s.length;
            for (int i = 0; i < s.length; i++) {
                long d = s[i];
                long o = out[lead + i];
                if (d == o || d == 1) {
                    continue;
                }
                if (o == 1) {
                    out[lead + i] = d;
                } else {
                    throw new IllegalArgumentException(message(shapes));
                }
            }
        }
        return out;
    }

    static String message(long[]... shapes) {
        StringBuilder sb = new StringBuilder("operands could not be broadcast together with shapes");
        for (long[] s : shapes) {
            sb.append(' ').append(Shapes.str(s));
        }
        return sb.append(": each axis (aligned from the right) must have equal lengths or length 1;"
                + " reshape or unsqueeze an operand so the axes line up").toString();
    }
}
