package org.tensorbridge.nn;

import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.Tensor;

/**
 * PyTorch's nn.TransformerEncoderLayer: self-attention and a feed-forward block, each with dropout, a
 * residual connection and LayerNorm (post-norm by default, pre-norm with {@code normFirst}). Keys as
 * PyTorch's: {@code self_attn.*}, {@code linear1.*}, {@code linear2.*}, {@code norm1.*}, {@code norm2.*}.
 */
public final class TransformerEncoderLayer extends Module {
    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Module activation;
    private final boolean normFirst;

    /** PyTorch's defaults: dim_feedforward 2048, dropout 0.1, ReLU, eps 1e-5, batch_first false, post-norm. */
    public TransformerEncoderLayer(long dModel, long nhead) {
        this(dModel, nhead, 2048, 0.1, false, 1e-5, false, false);
    }

    public TransformerEncoderLayer(long dModel, long nhead, long dimFeedforward, double dropout, boolean gelu,
                                   double layerNormEps, boolean batchFirst, boolean normFirst) {
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, batchFirst));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward));
        this.dropout = registerModule("dropout", new Dropout(dropout));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel));
        this.norm1 = registerModule("norm1", new LayerNorm(new long[] {dModel}, layerNormEps, true));
        this.norm2 = registerModule("norm2", new LayerNorm(new long[] {dModel}, layerNormEps, true));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout));
        this.activation = gelu ? Activation.gelu() : Activation.relu();
        this.normFirst = normFirst;
    }

    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null);
    }

    /** With an attention mask ([L, L], boolean true = not allowed, or additive float); null for none. */
    public Tensor forward(Tensor src, Tensor mask) {
        return forward(src, mask, null);
    }

    /** With an attention mask and a key padding mask ([batch, L], boolean, true = padding); either may be null. */
    public Tensor forward(Tensor src, Tensor mask, Tensor keyPaddingMask) {
        return Scope.compute(() -> {
            Tensor x = src;
            if (normFirst) {
                x = x.add(selfAttentionBlock(norm1.forward(x), mask, keyPaddingMask));
                x = x.add(feedForwardBlock(norm2.forward(x)));
            } else {
                x = norm1.forward(x.add(selfAttentionBlock(x, mask, keyPaddingMask)));
                x = norm2.forward(x.add(feedForwardBlock(x)));
            }
            return x;
        });
    }

    private Tensor selfAttentionBlock(Tensor x, Tensor mask, Tensor keyPaddingMask) {
        return dropout1.forward(selfAttn.forward(x, x, x, mask, keyPaddingMask));
    }

    private Tensor feedForwardBlock(Tensor x) {
        return dropout2.forward(linear2.forward(dropout.forward(activation.forward(linear1.forward(x)))));
    }
}
