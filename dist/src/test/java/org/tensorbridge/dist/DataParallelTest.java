package org.tensorbridge.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** 2-rank data-parallel training equals 1 process on the doubled batch after 20 SGD steps. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DataParallelTest {
    @TempDir
    Path dir;

    private void parity(long bucketBytes) throws Exception {
        Path store = dir.resolve("store");
        try (Child child = Child.java(dir, "ddp", "1", "2", "file:" + store, "60000", String.valueOf(bucketBytes));
                ProcessGroup group = ProcessGroup.file(store, 0, 2, Duration.ofSeconds(60))) {
            double diff = Scenarios.parity(group, bucketBytes);
            assertEquals(0, child.exit(120), child.output());
            System.out.println("2-rank vs 1-process max |diff| after 20 steps: " + diff);
        }
    }

    @Test
    void twoRanksEqualOneProcessOnTheDoubledBatch() throws Exception {
        parity(DataParallel.DEFAULT_BUCKET_BYTES);
    }

    @Test
    void smallBucketsGiveTheSameParameters() throws Exception {
        parity(64);  // every parameter in a bucket of its own, reductions in flight together
    }
}
