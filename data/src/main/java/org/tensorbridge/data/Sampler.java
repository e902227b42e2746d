package org.tensorbridge.data;

/**
 * The order in which an epoch visits the samples. Samplers are pure functions of the epoch number: the same
 * seed gives the same order whatever the number of workers.
 */
public interface Sampler {
    /** The sample indices of {@code epoch}, in visiting order. */
    long[] indices(long epoch);

    /** In dataset order. */
    static Sampler sequential(long size) {
        return epoch -> {
            long[] order = new long[Math.toIntExact(size)];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            return order;
        };
    }

    /**
     * A new permutation each epoch: {@code torch.randperm(size)} under a generator seeded with
     * {@code seed + epoch}, exactly as PyTorch's DistributedSampler shuffles.
     */
    static Sampler shuffled(long size, long seed) {
        return epoch -> Mt19937.randperm(size, seed + epoch);
    }

    /**
     * This rank's shard, as PyTorch's {@code DistributedSampler(dataset, num_replicas=worldSize, rank=rank,
     * shuffle, seed, drop_last)}: the (shuffled) order is padded by repeating its start to a multiple of the
     * world size (or cut, with {@code dropLast}), then every {@code worldSize}-th index from {@code rank}.
     */
    static Sampler distributed(long size, int rank, int worldSize, boolean shuffle, long seed, boolean dropLast) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " is not in [0, " + worldSize + "): ranks run from 0 to"
                    + " worldSize - 1");
        }
        long perRank = dropLast && size % worldSize != 0
                ? (long) Math.ceil((double) (size - worldSize) / worldSize) : (size + worldSize - 1) / worldSize;
        Sampler order = shuffle ? shuffled(size, seed) : sequential(size);
        return epoch -> {
            long[] all = order.indices(epoch);
            long[] shard = new long[Math.toIntExact(perRank)];
            for (int i = 0; i < shard.length; i++) {
                long position = rank + (long) i * worldSize;  // position < total; padding wraps around the start
                shard[i] = all[(int) (position % all.length)];
            }
            return shard;
        };
    }
}
