package org.tensorbridge.nn;

import java.util.List;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;

/**
 * Multi-head self/cross attention (PyTorch's nn.MultiheadAttention, packed projections): parameters
 * {@code in_proj_weight} [3E, E] (Xavier-uniform), {@code in_proj_bias} (zeros), {@code out_proj.weight},
 * {@code out_proj.bias} (zeros). Inputs are [batch, seq, E] when {@code batchFirst}, else [seq, batch, E].
 */
public final class MultiheadAttention extends Module {
    private static final Op MASKED_FILL = Op.of("aten::masked_fill.Scalar");
    private final long embedDim;
    private final long numHeads;
    private final double dropout;
    private final boolean batchFirst;
    private final Linear outProj;

    public MultiheadAttention(long embedDim, long numHeads, double dropout, boolean batchFirst) {
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("embed_dim (" + embedDim + ") must be divisible by num_heads (" + numHeads + ")");
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.dropout = dropout;
        this.batchFirst = batchFirst;
        // xavier_uniform_: U(-a, a), a = sqrt(6 / (fan_in + fan_out)) over the [3E, E] matrix.
        double a = Math.sqrt(6.0 / (embedDim + 3 * embedDim));
        registerParameter("in_proj_weight", F.uniform_(Tensor.empty(3 * embedDim, embedDim), -a, a));
        registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim));
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim));
        outProj.bias().requiresGrad(false);
        outProj.bias().zero_();
        outProj.bias().requiresGrad(true);
    }

    /** Self-attention without a mask. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null);
    }

    /**
     * Attention of {@code query} over {@code key}/{@code value}; {@code attnMask} [Lq, Lk] is either boolean
     * (true = not allowed, as PyTorch's) or a float mask added to the scores; null for none.
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor attnMask) {
        return forward(query, key, value, attnMask, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor, Tensor, Tensor)} with {@code keyPaddingMask} [batch, Lk]: boolean,
     * true marking padding keys that no query may attend to (PyTorch's key_padding_mask); null for none.
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, Tensor attnMask, Tensor keyPaddingMask) {
        return Scope.compute(() -> {
            Tensor q = batchFirst ? query : query.transpose(0, 1);
            Tensor k = batchFirst ? key : key.transpose(0, 1);
            Tensor v = batchFirst ? value : value.transpose(0, 1);
            long b = q.size(0), lq = q.size(1), lk = k.size(1), d = embedDim / numHeads;
            Tensor w = parameter("in_proj_weight"), bias = parameter("in_proj_bias");
            Tensor qp, kp, vp;
            if (query == key && key == value) {
                List<Tensor> qkv = F.linear(q, w, bias).split(embedDim, -1);
                qp = qkv.get(0);
                kp = qkv.get(1);
                vp = qkv.get(2);
            } else {
                List<Tensor> ws = w.split(embedDim, 0), bs = bias.split(embedDim, 0);
                qp = F.linear(q, ws.get(0), bs.get(0));
                kp = F.linear(k, ws.get(1), bs.get(1));
                vp = F.linear(v, ws.get(2), bs.get(2));
            }
            qp = qp.reshape(b, lq, numHeads, d).transpose(1, 2).div(Math.sqrt(d));
            kp = kp.reshape(b, lk, numHeads, d).transpose(1, 2);
            vp = vp.reshape(b, lk, numHeads, d).transpose(1, 2);
            Tensor scores = qp.matmul(kp.transpose(-2, -1));
            if (attnMask != null) {
                scores = attnMask.dtype() == org.tensorbridge.core.DType.BOOL
                        ? MASKED_FILL.apply(scores, attnMask, Double.NEGATIVE_INFINITY) : scores.add(attnMask);
            }
            if (keyPaddingMask != null) {
                if (keyPaddingMask.dtype() != org.tensorbridge.core.DType.BOOL) {
                    throw new IllegalArgumentException("key_padding_mask must be boolean (true = padding), not "
                            + keyPaddingMask.dtype().torchName());
                }
                scores = MASKED_FILL.apply(scores, keyPaddingMask.reshape(b, 1, 1, lk), Double.NEGATIVE_INFINITY);
            }
            Tensor attn = F.dropout(F.softmax(scores, -1), dropout, isTraining());
            Tensor out = attn.matmul(vp).transpose(1, 2).reshape(b, lq, embedDim);
            out = outProj.forward(out);
            return batchFirst ? out : out.transpose(0, 1);
        });
    }
}
