package org.tensorbridge.nn;

import org.tensorbridge.core.DType;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;

/**
 * Typed functional ops (PyTorch's {@code torch.nn.functional}): everything the layers and losses call, so
 * user code never names an ATen operator. Each returns a new tensor (autograd-tracked) owned by the current
 * scope or the caller.
 */
public final class F {
    private static final Op LINEAR = Op.of("aten::linear");
    private static final Op CONV1D = Op.of("aten::conv1d");
    private static final Op CONV2D = Op.of("aten::conv2d");
    private static final Op BATCH_NORM = Op.of("aten::batch_norm");
    private static final Op LAYER_NORM = Op.of("aten::layer_norm");
    private static final Op GROUP_NORM = Op.of("aten::group_norm");
    private static final Op DROPOUT = Op.of("aten::dropout");
    private static final Op EMBEDDING = Op.of("aten::embedding");
    private static final Op GELU = Op.of("aten::gelu");
    private static final Op SILU = Op.of("aten::silu");
    private static final Op SOFTMAX = Op.of("aten::softmax.int");
    private static final Op LOG_SOFTMAX = Op.of("aten::log_softmax.int");
    private static final Op MAX_POOL2D = Op.of("aten::max_pool2d");
    private static final Op AVG_POOL2D = Op.of("aten::avg_pool2d");
    private static final Op ADAPTIVE_AVG_POOL2D = Op.of("aten::adaptive_avg_pool2d");
    private static final Op CROSS_ENTROPY = Op.of("aten::cross_entropy_loss");
    private static final Op NLL = Op.of("aten::nll_loss_nd");
    private static final Op MSE = Op.of("aten::mse_loss");
    private static final Op L1 = Op.of("aten::l1_loss");
    private static final Op SMOOTH_L1 = Op.of("aten::smooth_l1_loss");
    private static final Op BCE = Op.of("aten::binary_cross_entropy");
    private static final Op BCE_LOGITS = Op.of("aten::binary_cross_entropy_with_logits");
    private static final Op UNIFORM_ = Op.of("aten::uniform_");
    private static final Op NORMAL_ = Op.of("aten::normal_");

    private F() {
    }

    // ---------------------------------------------------------------- layers

    /** {@code x @ weight.T + bias}; bias may be null. */
    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        return LINEAR.apply(input, weight, bias);
    }

    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, long stride, long padding, long dilation, long groups) {
        return CONV1D.apply(input, weight, bias, new long[] {stride}, new long[] {padding}, new long[] {dilation}, groups);
    }

    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, long[] stride, long[] padding, long[] dilation, long groups) {
        return CONV2D.apply(input, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * Batch normalisation; in training it normalises with the batch statistics and updates
     * {@code runningMean}/{@code runningVar} in place (when given) with {@code momentum}.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return BATCH_NORM.apply(input, weight, bias, runningMean, runningVar, training, momentum, eps, true);
    }

    public static Tensor layerNorm(Tensor input, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return LAYER_NORM.apply(input, normalizedShape, weight, bias, eps, true);
    }

    public static Tensor groupNorm(Tensor input, long numGroups, Tensor weight, Tensor bias, double eps) {
        return GROUP_NORM.apply(input, numGroups, weight, bias, eps, true);
    }

    /** Zeroes elements with probability {@code p} and scales the rest by 1/(1-p) when {@code training}. */
    public static Tensor dropout(Tensor input, double p, boolean training) {
        if (p < 0 || p > 1) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        return DROPOUT.apply(input, p, training);
    }

    /** Rows of {@code weight} picked by integer {@code indices}; paddingIdx -1 for none. */
    public static Tensor embedding(Tensor indices, Tensor weight, long paddingIdx) {
        return EMBEDDING.apply(weight, indices, paddingIdx, false, false);
    }

    public static Tensor relu(Tensor input) {
        return input.relu();
    }

    /** GELU, exact ('none') or the tanh approximation. */
    public static Tensor gelu(Tensor input, boolean tanhApproximation) {
        return GELU.apply(input, Op.kw("approximate", tanhApproximation ? "tanh" : "none"));
    }

    public static Tensor gelu(Tensor input) {
        return gelu(input, false);
    }

    public static Tensor silu(Tensor input) {
        return SILU.apply(input);
    }

    public static Tensor tanh(Tensor input) {
        return input.tanh();
    }

    public static Tensor sigmoid(Tensor input) {
        return input.sigmoid();
    }

    public static Tensor softmax(Tensor input, long dim) {
        return SOFTMAX.apply(input, dim, null);
    }

    public static Tensor logSoftmax(Tensor input, long dim) {
        return LOG_SOFTMAX.apply(input, dim, null);
    }

    public static Tensor maxPool2d(Tensor input, long[] kernel, long[] stride, long[] padding, long[] dilation, boolean ceilMode) {
        return MAX_POOL2D.apply(input, kernel, stride, padding, dilation, ceilMode);
    }

    public static Tensor avgPool2d(Tensor input, long[] kernel, long[] stride, long[] padding, boolean ceilMode, boolean countIncludePad) {
        return AVG_POOL2D.apply(input, kernel, stride, padding, ceilMode, countIncludePad, null);
    }

    public static Tensor adaptiveAvgPool2d(Tensor input, long[] outputSize) {
        return ADAPTIVE_AVG_POOL2D.apply(input, outputSize);
    }

    // ---------------------------------------------------------------- losses

    /** Cross-entropy with PyTorch's defaults: mean reduction, no weights, ignore_index -100, no smoothing. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, null, Reduction.MEAN, -100, 0.0);
    }

    /**
     * Cross-entropy from logits; {@code target} holds class indices (int64) or class probabilities (same
     * shape as {@code logits}). {@code weight} (per class) may be null.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Tensor weight, Reduction reduction, long ignoreIndex,
                                      double labelSmoothing) {
        return CROSS_ENTROPY.apply(logits, target, weight, reduction.code(), ignoreIndex, labelSmoothing);
    }

    public static Tensor nllLoss(Tensor logProbabilities, Tensor target) {
        return nllLoss(logProbabilities, target, null, Reduction.MEAN, -100);
    }

    public static Tensor nllLoss(Tensor logProbabilities, Tensor target, Tensor weight, Reduction reduction, long ignoreIndex) {
        return NLL.apply(logProbabilities, target, weight, reduction.code(), ignoreIndex);
    }

    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        return MSE.apply(input, target, reduction.code());
    }

    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, Reduction.MEAN);
    }

    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        return L1.apply(input, target, reduction.code());
    }

    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return smoothL1Loss(input, target, Reduction.MEAN, 1.0);
    }

    public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, double beta) {
        return SMOOTH_L1.apply(input, target, reduction.code(), beta);
    }

    public static Tensor binaryCrossEntropy(Tensor probabilities, Tensor target) {
        return binaryCrossEntropy(probabilities, target, null, Reduction.MEAN);
    }

    public static Tensor binaryCrossEntropy(Tensor probabilities, Tensor target, Tensor weight, Reduction reduction) {
        return BCE.apply(probabilities, target, weight, reduction.code());
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return binaryCrossEntropyWithLogits(logits, target, null, null, Reduction.MEAN);
    }

    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor weight, Tensor posWeight,
                                                      Reduction reduction) {
        return BCE_LOGITS.apply(logits, target, weight, posWeight, reduction.code());
    }

    // ---------------------------------------------------------------- init (torch.nn.init), in place

    /** Fills {@code t} in place from U(low, high); returns t. */
    public static Tensor uniform_(Tensor t, double low, double high) {
        UNIFORM_.apply(t, low, high).close();
        return t;
    }

    /** Fills {@code t} in place from N(mean, std); returns t. */
    public static Tensor normal_(Tensor t, double mean, double std) {
        NORMAL_.apply(t, mean, std).close();
        return t;
    }

    /** PyTorch's default for Linear and Conv weights: kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    static Tensor kaimingUniformDefault(Tensor t, long fanIn) {
        double bound = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0.0;
        return uniform_(t, -bound, bound);
    }

    static DType floatType() {
        return DType.FLOAT32;
    }
}
