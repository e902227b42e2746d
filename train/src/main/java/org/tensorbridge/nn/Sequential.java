package org.tensorbridge.nn;

import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.Tensor;

/**
 * Modules applied in order (PyTorch's nn.Sequential); children are named "0", "1", ..., so keys read
 * {@code 0.weight}, {@code 2.bias} as in PyTorch. Intermediate outputs are closed as soon as the next layer
 * has used them (autograd keeps what backward needs).
 */
public final class Sequential extends Module {
    private int count;

    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends {@code module}; returns this. */
    public Sequential add(Module module) {
        registerModule(Integer.toString(count++), module);
        return this;
    }

    public Module get(int index) {
        Module m = namedChildren().get(Integer.toString(index));
        if (m == null) {
            throw new IndexOutOfBoundsException("index " + index + " is out of range for a Sequential of " + count);
        }
        return m;
    }

    public int size() {
        return count;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (count == 0) {
            return input.alias();
        }
        return Scope.compute(() -> {
            Tensor x = input;
            for (Module m : namedChildren().values()) {
                x = m.forward(x);
            }
            return x;
        });
    }
}
