package org.tensorbridge.nn;

import org.tensorbridge.torch.Tensor;

/** Zeroes elements with probability p in training mode, scaling the rest by 1/(1-p); the identity in eval mode. */
public final class Dropout extends Module {
    private final double p;

    public Dropout() {
        this(0.5);
    }

    public Dropout(double p) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.dropout(input, p, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
