package org.tensorbridge.ndarray;

/**
 * C-order iteration over an n-d shape for several operands with byte strides. Adjacent axes that are
 * contiguous for every operand are coalesced and the kernel is called once per innermost row with the
 * operands' byte offsets (a scratch array the kernel must not keep), the row length and inner strides.
 */
final class NdIter {
    private NdIter() {
    }

    @FunctionalInterface
    interface RowKernel {
        void row(long[] offsets, long n, long[] innerStrides);
    }

    /** Coalesced [shape, strides(op0), strides(op1), ...]; drops length-1 axes. */
    static long[][] coalesce(long[] shape, long[][] strides) {
        int nd = shape.length;
        int k = strides.length;
        long[] sh = new long[nd];
        long[][] st = new long[k][nd];
        int m = 0;
        for (int i = 0; i < nd; i++) {
            if (shape[i] == 1) {
                continue;
            }
            if (m > 0) {
                boolean merge = true;
                for (int o = 0; o < k; o++) {
                    if (st[o][m - 1] != strides[o][i] * shape[i]) {
                        merge = false;
                        break;
                    }
                }
                if (merge) {
                    sh[m - 1] *= shape[i];
                    for (int o = 0; o < k; o++) {
                        st[o][m - 1] = strides[o][i];
                    }
                    continue;
                }
            }
            sh[m] = shape[i];
            for (int o = 0; o < k; o++) {
                st[o][m] = strides[o][i];
            }
            m++;
        }
        long[][] out = new long[k + 1][];
        out[0] = java.util.Arrays.copyOf(sh, m);
        for (int o = 0; o < k; o++) {
            out[o + 1] = java.util.Arrays.copyOf(st[o], m);
        }
        return out;
    }

    static void forEachRow(long[] shape, long[][] strides, long[] base, RowKernel kernel) {
        for (long d : shape) {
            if (d == 0) {
                return;
            }
        }
        long[][] c = coalesce(shape, strides);
        long[] sh = c[0];
        int nd = sh.length;
        int k = strides.length;
        long[] offs = base.clone();
        long[] inner = new long[k];
        if (nd == 0) {
            kernel.row(offs, 1, inner);
            return;
        }
        for (int o = 0; o < k; o++) {
            inner[o] = c[o + 1][nd - 1];
        }
        long n = sh[nd - 1];
        long[] idx = new long[nd];
        long[] cur = base.clone();
        while (true) {
            System.arraycopy(cur, 0, offs, 0, k);
            kernel.row(offs, n, inner);
            int ax = nd - 2;
            while (ax >= 0) {
                idx[ax]++;
                for (int o = 0; o < k; o++) {
                    cur[o] += c[o + 1][ax];
                }
                if (idx[ax] < sh[ax]) {
                    break;
                }
                for (int o = 0; o < k; o++) {
                    cur[o] -= c[o + 1][ax] * sh[ax];
                }
                idx[ax] = 0;
                ax--;
            }
            if (ax < 0) {
                return;
            }
        }
    }
}
