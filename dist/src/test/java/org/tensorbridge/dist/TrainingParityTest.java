package org.tensorbridge.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.data.Sampler;
import org.tensorbridge.testkit.Python;

/**
 * 2 processes train with DataParallel, an optimizer, the GradScaler and the loader's distributed sampler, and end
 * with the parameters of 1 process on the doubled batch ({@link TrainingScenario}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TrainingParityTest {
    @TempDir
    Path dir;

    private void parity(String optimizer) throws Exception {
        Path store = dir.resolve("store");
        try (Child child = Child.java(dir, "train", "1", "2", "file:" + store, "60000", optimizer);
                ProcessGroup group = ProcessGroup.file(store, 0, 2, Duration.ofSeconds(60))) {
            double diff = TrainingScenario.parity(group, optimizer);
            assertEquals(0, child.exit(120), child.output());
            System.out.println(optimizer + ": 2-rank vs 1-process max |diff|: " + diff);
        }
    }

    @Test
    void adamWithTheGradScalerAndTheDistributedSampler() throws Exception {
        parity("adam");
    }

    @Test
    void sgdWithMomentumWithTheGradScalerAndTheDistributedSampler() throws Exception {
        parity("sgd");
    }

    /** The shards the ranks trained on are the ones PyTorch's DistributedSampler gives for the same seed and epochs. */
    @Test
    void theShardsAreDistributedSamplers() {
        StringBuilder script = new StringBuilder("from torch.utils.data import DistributedSampler\n");
        for (int epoch = 0; epoch < TrainingScenario.EPOCHS; epoch++) {
            for (int rank = 0; rank < TrainingScenario.WORLD; rank++) {
                script.append(String.format("s = DistributedSampler(range(%d), num_replicas=%d, rank=%d, shuffle=True,"
                        + " seed=%d)%ns.set_epoch(%d)%nprint(' '.join(str(i) for i in s))%n", TrainingScenario.SAMPLES,
                        TrainingScenario.WORLD, rank, TrainingScenario.SAMPLER_SEED, epoch));
            }
        }
        String[] lines = Python.debian().run(script.toString()).strip().split("\n");
        int line = 0;
        for (int epoch = 0; epoch < TrainingScenario.EPOCHS; epoch++) {
            for (int rank = 0; rank < TrainingScenario.WORLD; rank++) {
                long[] expected = Arrays.stream(lines[line++].trim().split(" ")).mapToLong(Long::parseLong).toArray();
                assertArrayEquals(expected, Sampler.distributed(TrainingScenario.SAMPLES, rank, TrainingScenario.WORLD,
                        true, TrainingScenario.SAMPLER_SEED, false).indices(epoch), "rank " + rank + ", epoch " + epoch);
            }
        }
    }
}
