package org.tensorbridge.dist;

/** How all-reduce and reduce-scatter combine the ranks' tensors (c10d's ReduceOp; Gloo has no AVG: divide). */
public enum ReduceOp {
    SUM(0), PRODUCT(1), MIN(2), MAX(3);

    final int code;

    ReduceOp(int code) {
        this.code = code;
    }
}
