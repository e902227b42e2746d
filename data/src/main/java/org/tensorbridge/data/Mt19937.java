package org.tensorbridge.data;

/**
 * The Mersenne Twister of libtorch's CPU generator, and torch.randperm's shuffle on it: a sampler seeded
 * like a {@code torch.Generator} gives exactly PyTorch's permutation (checked against PyTorch in the tests),
 * so shards match {@code DistributedSampler}'s.
 */
final class Mt19937 {
    private static final int N = 624, M = 397;
    private final int[] state = new int[N];
    private int next;

    Mt19937(long seed) {
        state[0] = (int) seed;  // libtorch seeds with the low 32 bits (init_with_uint32)
        for (int j = 1; j < N; j++) {
            state[j] = 1812433253 * (state[j - 1] ^ (state[j - 1] >>> 30)) + j;
        }
        next = N;
    }

    /** The next 32-bit output, as an unsigned value. */
    long nextUnsigned() {
        if (next >= N) {
            twist();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return Integer.toUnsignedLong(y);
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & 0x80000000) | (state[(i + 1) % N] & 0x7fffffff);
            int v = state[(i + M) % N] ^ (y >>> 1);
            state[i] = (y & 1) != 0 ? v ^ 0x9908b0df : v;
        }
        next = 0;
    }

    /** {@code torch.randperm(n, generator=torch.Generator().manual_seed(seed))} for n below 2^24. */
    static long[] randperm(long n, long seed) {
        if (n >= (1L << 24)) {
            throw new IllegalArgumentException("shuffling " + n + " samples: PyTorch-compatible permutations are"
                    + " implemented for fewer than 2^24 samples");
        }
        long[] order = new long[(int) n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Mt19937 random = new Mt19937(seed);
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (random.nextUnsigned() % (n - i));
            long saved = order[i];
            order[i] = order[z + i];
            order[z + i] = saved;
        }
        return order;
    }
}
