package org.tensorbridge.nn;

/** How a loss reduces its per-element values, as PyTorch's {@code reduction=} ('none', 'mean', 'sum'). */
public enum Reduction {
    NONE, MEAN, SUM;

    /** ATen's at::Reduction code (None=0, Mean=1, Sum=2). */
    int code() {
        return ordinal();
    }
}
