package org.tensorbridge.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDArrays;

/** The loader: every sample once, the same batches for any number of workers, failures and early exits. */
class DataLoaderTest {
    private static final int N = 1003;

    // x[i] = [i, i + 0.25, i + 0.5], y[i] = i
    private static ArrayDataset numbered(Scope scope) {
        NDArray y = NDArrays.arange(0.0, N, 1.0, DType.INT64);
        NDArray x = y.reshape(N, 1).astype(DType.FLOAT32).add(NDArray.of(new float[] {0f, 0.25f, 0.5f}));
        return ArrayDataset.of(x, y);
    }

    /** The y values of each batch, in order, checking x against y on the way. */
    private static List<long[]> batches(DataLoader loader, long epoch) {
        List<long[]> seen = new ArrayList<>();
        for (Batch batch : loader.epoch(epoch)) {
            try (Scope step = Scope.open()) {
                long[] y = batch.get("y").toLongArray();
                float[] x = batch.get("x").toFloatArray();
                assertArrayEquals(new long[] {batch.size(), 3}, batch.get("x").shape());
                for (int r = 0; r < y.length; r++) {
                    assertEquals(y[r] + 0.25f, x[3 * r + 1], "row " + r + " of batch " + batch.index());
                }
                seen.add(y);
            }
        }
        return seen;
    }

    @Test
    void everySampleOncePerEpochAndTheSameBatchesForAnyNumberOfWorkers() {
        try (Scope scope = Scope.open()) {
            ArrayDataset data = numbered(scope);
            List<List<long[]>> runs = new ArrayList<>();
            for (DataLoader.Mode mode : new DataLoader.Mode[] {DataLoader.Mode.STREAM, DataLoader.Mode.RESIDENT}) {
                for (int workers : new int[] {0, 1, 2, 4}) {
                    try (DataLoader loader = DataLoader.builder(data).batchSize(64).shuffle(11).workers(workers)
                            .mode(mode).build()) {
                        assertEquals(16, loader.size());
                        List<long[]> epoch0 = batches(loader, 0);
                        long[] all = epoch0.stream().flatMapToLong(Arrays::stream).sorted().toArray();
                        assertArrayEquals(NDArrays.arange(0.0, N, 1.0, DType.INT64).toLongArray(), all,
                                "every sample exactly once (" + mode + ", " + workers + " workers)");
                        assertEquals(43, epoch0.getLast().length, "the last batch holds the rest");
                        runs.add(epoch0);
                        List<long[]> epoch1 = batches(loader, 1);
                        assertFalse(Arrays.equals(epoch0.getFirst(), epoch1.getFirst()), "a new order each epoch");
                    }
                }
            }
            for (List<long[]> run : runs) {
                assertEquals(runs.getFirst().size(), run.size());
                for (int b = 0; b < run.size(); b++) {
                    assertArrayEquals(runs.getFirst().get(b), run.get(b), "batch " + b);
                }
            }
        }
    }

    @Test
    void dropLastDropsTheShortBatch() {
        try (Scope scope = Scope.open(); DataLoader loader = DataLoader.builder(numbered(scope)).batchSize(64)
                .dropLast(true).workers(2).mode(DataLoader.Mode.STREAM).build()) {
            List<long[]> epoch = batches(loader, 0);
            assertEquals(15, epoch.size());
            assertTrue(epoch.stream().allMatch(b -> b.length == 64));
        }
    }

    @Test
    void aDistributedSamplerGivesEachRankItsShard() {
        try (Scope scope = Scope.open()) {
            ArrayDataset data = numbered(scope);
            List<Long> union = new ArrayList<>();
            for (int rank = 0; rank < 3; rank++) {
                try (DataLoader loader = DataLoader.builder(data).batchSize(50)
                        .sampler(Sampler.distributed(N, rank, 3, true, 5, false)).workers(2).build()) {
                    batches(loader, 0).forEach(b -> Arrays.stream(b).forEach(union::add));
                }
            }
            assertEquals(1005, union.size(), "ceil(1003 / 3) per rank, padded as PyTorch pads");
            assertEquals(N, union.stream().distinct().count());
        }
    }

    private static Dataset failingAt(long bad, AtomicInteger reads) {
        return new Dataset() {
            @Override
            public long size() {
                return N;
            }

            @Override
            public List<Field> fields() {
                return List.of(new Field("x", DType.INT64, new long[0]));
            }

            @Override
            public void read(long index, Rows rows) throws Exception {
                reads.incrementAndGet();
                if (index == bad) {
                    throw new java.io.IOException("disk on fire");
                }
                rows.field(0).set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, rows.offset(0), index);
            }
        };
    }

    @Test
    void aFailingSampleReachesTheConsumerWithItsIndexAndCause() {
        for (int workers : new int[] {0, 2}) {
            try (DataLoader loader = DataLoader.builder(failingAt(700, new AtomicInteger())).batchSize(32)
                    .workers(workers).build()) {
                DataLoaderException e = assertThrows(DataLoaderException.class, () -> {
                    for (Batch batch : loader.epoch(0)) {
                        batch.close();
                    }
                });
                assertTrue(e.getMessage().contains("sample 700") && e.getMessage().contains("disk on fire"), e.getMessage());
                assertTrue(e.getCause() instanceof java.io.IOException, String.valueOf(e.getCause()));
            }
        }
        assertNoLoaderThreads();
    }

    @Test
    void aBlockingDatasetStopsPromptlyWhenTheEpochCloses() {
        Dataset blocking = new Dataset() {
            @Override
            public long size() {
                return N;
            }

            @Override
            public List<Field> fields() {
                return List.of(new Field("x", DType.FLOAT32, new long[] {4}));
            }

            @Override
            public void read(long index, Rows rows) throws Exception {
                if (index >= 64) {
                    Thread.sleep(Duration.ofHours(1));  // a stuck network read
                }
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (DataLoader loader = DataLoader.builder(blocking).batchSize(64).workers(2).build();
                 DataLoader.Epoch epoch = loader.epoch(0)) {
                var batches = epoch.iterator();
                batches.next().close();  // the first batch has no blocking sample
            }
        });
        assertNoLoaderThreads();
    }

    @Test
    void aConsumerThatLeavesAfterTwoBatchesLeavesNothingBehind() {
        try (Scope scope = Scope.open()) {
            ArrayDataset data = numbered(scope);
            try (DataLoader loader = DataLoader.builder(data).batchSize(16).shuffle(3).workers(2)
                    .mode(DataLoader.Mode.STREAM).build()) {
                int taken = 0;
                for (Batch batch : loader.epoch(0)) {
                    try (Scope step = Scope.open()) {
                        assertEquals(16, batch.size());
                    }
                    if (++taken == 2) {
                        break;
                    }
                }
                // the next epoch stops the abandoned one and starts afresh
                assertEquals(63, batches(loader, 1).size());
            }
        }
        assertNoLoaderThreads();
    }

    @Test
    void batchesKeptOpenKeepTheirValuesWhileTheEpochGoesOn() {
        try (Scope scope = Scope.open(); DataLoader loader = DataLoader.builder(numbered(scope)).batchSize(8)
                .workers(2).prefetch(1).mode(DataLoader.Mode.STREAM).build()) {
            List<Batch> open = new ArrayList<>();
            for (Batch batch : loader.epoch(0)) {
                open.add(batch);  // never closed until the scope ends: buffers are not reused under them
            }
            for (Batch batch : open) {
                long[] y = batch.get("y").toLongArray();
                assertEquals(batch.index() * 8, y[0], "batch " + batch.index() + " still holds its own rows");
            }
        }
    }

    @Test
    void progressIsReportedPerBatch() {
        List<Progress> reports = new ArrayList<>();
        try (Scope scope = Scope.open(); DataLoader loader = DataLoader.builder(numbered(scope)).batchSize(100)
                .workers(2).mode(DataLoader.Mode.STREAM).onProgress(reports::add).build()) {
            batches(loader, 0);
        }
        assertEquals(11, reports.size());
        assertEquals(N, reports.getLast().samples());
        assertTrue(reports.getLast().samplesPerSecond() > 0);
    }

    private static void assertNoLoaderThreads() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && loaderThreads() > 0) {
            Thread.onSpinWait();
        }
        assertEquals(0, loaderThreads(), "no loader thread left behind");
    }

    private static long loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("tensorbridge-loader") && t.isAlive()).count();
    }
}
