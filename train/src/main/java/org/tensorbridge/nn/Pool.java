package org.tensorbridge.nn;

import org.tensorbridge.torch.Tensor;

/** Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d (stride defaults to the kernel size, as in PyTorch). */
public final class Pool extends Module {
    private final String name;
    private final java.util.function.UnaryOperator<Tensor> function;

    private Pool(String name, java.util.function.UnaryOperator<Tensor> function) {
        this.name = name;
        this.function = function;
    }

    public static Pool maxPool2d(long kernelSize) {
        return maxPool2d(kernelSize, kernelSize, 0);
    }

    public static Pool maxPool2d(long kernelSize, long stride, long padding) {
        long[] k = {kernelSize, kernelSize}, s = {stride, stride}, p = {padding, padding}, d = {1, 1};
        return new Pool("MaxPool2d", x -> F.maxPool2d(x, k, s, p, d, false));
    }

    public static Pool avgPool2d(long kernelSize) {
        return avgPool2d(kernelSize, kernelSize, 0);
    }

    public static Pool avgPool2d(long kernelSize, long stride, long padding) {
        long[] k = {kernelSize, kernelSize}, s = {stride, stride}, p = {padding, padding};
        return new Pool("AvgPool2d", x -> F.avgPool2d(x, k, s, p, false, true));
    }

    public static Pool adaptiveAvgPool2d(long outputHeight, long outputWidth) {
        long[] size = {outputHeight, outputWidth};
        return new Pool("AdaptiveAvgPool2d", x -> F.adaptiveAvgPool2d(x, size));
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
