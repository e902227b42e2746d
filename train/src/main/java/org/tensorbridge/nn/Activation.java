package org.tensorbridge.nn;

import java.util.function.UnaryOperator;
import org.tensorbridge.torch.Tensor;

/** Parameter-free element-wise layers: ReLU, GELU, SiLU, Tanh, Sigmoid, Softmax(dim), Flatten. */
public final class Activation extends Module {
    private final String name;
    private final UnaryOperator<Tensor> function;

    private Activation(String name, UnaryOperator<Tensor> function) {
        this.name = name;
        this.function = function;
    }

    public static Activation relu() {
        return new Activation("ReLU", Tensor::relu);
    }

    public static Activation gelu() {
        return new Activation("GELU", F::gelu);
    }

    /** GELU with the tanh approximation (PyTorch's {@code approximate='tanh'}). */
    public static Activation geluTanh() {
        return new Activation("GELU", x -> F.gelu(x, true));
    }

    public static Activation silu() {
        return new Activation("SiLU", F::silu);
    }

    public static Activation tanh() {
        return new Activation("Tanh", Tensor::tanh);
    }

    public static Activation sigmoid() {
        return new Activation("Sigmoid", Tensor::sigmoid);
    }

    public static Activation softmax(long dim) {
        return new Activation("Softmax", x -> F.softmax(x, dim));
    }

    public static Activation logSoftmax(long dim) {
        return new Activation("LogSoftmax", x -> F.logSoftmax(x, dim));
    }

    /** nn.Flatten(): dims 1..-1 into one. */
    public static Activation flatten() {
        return flatten(1, -1);
    }

    public static Activation flatten(long startDim, long endDim) {
        return new Activation("Flatten", x -> x.flatten(startDim, endDim));
    }

    public static Activation identity() {
        return new Activation("Identity", Tensor::alias);
    }

    @Override
    public Tensor forward(Tensor input) {
        return function.apply(input);
    }

    @Override
    public String toString() {
        return name + "()";
    }
}
