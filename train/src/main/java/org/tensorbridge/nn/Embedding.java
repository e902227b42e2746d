package org.tensorbridge.nn;

import org.tensorbridge.torch.Tensor;

/** A lookup table (PyTorch's nn.Embedding): weight [num, dim] from N(0, 1); the padding row starts at zero. */
public final class Embedding extends Module {
    private final long paddingIdx;

    public Embedding(long numEmbeddings, long embeddingDim) {
        this(numEmbeddings, embeddingDim, -1);
    }

    /** {@code paddingIdx} -1 for none; negative indices count from the end, as in PyTorch. */
    public Embedding(long numEmbeddings, long embeddingDim, long paddingIdx) {
        Tensor weight = Tensor.randn(numEmbeddings, embeddingDim);
        this.paddingIdx = paddingIdx < -1 ? numEmbeddings + paddingIdx : paddingIdx;
        if (this.paddingIdx >= 0) {
            try (Tensor row = weight.select(0, this.paddingIdx)) {
                row.zero_();
            }
        }
        registerParameter("weight", weight);
    }

    @Override
    public Tensor forward(Tensor input) {
        return F.embedding(input, parameter("weight"), paddingIdx);
    }
}
