package org.tensorbridge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorbridge.testkit.Python;

/** Samplers give PyTorch's orders: shards equal DistributedSampler's, asked of PyTorch in the test run. */
class SamplerTest {

    @Test
    void distributedShardsEqualPyTorchs() {
        record Case(int size, int world, int rank, boolean shuffle, long seed, boolean dropLast, long epoch) {
        }
        List<Case> cases = new ArrayList<>();
        for (int size : new int[] {10, 17, 1003}) {
            for (int world : new int[] {1, 3, 4}) {
                for (int rank = 0; rank < world; rank++) {
                    for (boolean shuffle : new boolean[] {false, true}) {
                        for (boolean dropLast : new boolean[] {false, true}) {
                            cases.add(new Case(size, world, rank, shuffle, 42, dropLast, size % 3));
                        }
                    }
                }
            }
        }
        StringBuilder script = new StringBuilder("""
                from torch.utils.data import DistributedSampler
                def shard(n, w, r, s, seed, d, e):
                    sampler = DistributedSampler(range(n), num_replicas=w, rank=r, shuffle=s, seed=seed, drop_last=d)
                    sampler.set_epoch(e)
                    print(' '.join(str(i) for i in sampler) or '-')
                """);
        for (Case c : cases) {
            script.append(String.format("shard(%d, %d, %d, %s, %d, %s, %d)%n", c.size, c.world, c.rank,
                    c.shuffle ? "True" : "False", c.seed, c.dropLast ? "True" : "False", c.epoch));
        }
        String[] lines = Python.debian().run(script.toString()).strip().split("\n");
        assertEquals(cases.size(), lines.length);
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            long[] expected = lines[i].equals("-") ? new long[0]
                    : Arrays.stream(lines[i].trim().split(" ")).mapToLong(Long::parseLong).toArray();
            long[] actual = Sampler.distributed(c.size, c.rank, c.world, c.shuffle, c.seed, c.dropLast).indices(c.epoch);
            assertArrayEquals(expected, actual, c.toString());
        }
    }

    @Test
    void shuffledIsTorchRandpermUnderASeededGenerator() {
        String out = Python.debian().run("""
                import torch
                g = torch.Generator(); g.manual_seed(7 + 3)
                print(' '.join(str(i) for i in torch.randperm(5000, generator=g).tolist()))
                """);
        long[] expected = Arrays.stream(out.trim().split(" ")).mapToLong(Long::parseLong).toArray();
        assertArrayEquals(expected, Sampler.shuffled(5000, 7).indices(3));
    }
}
