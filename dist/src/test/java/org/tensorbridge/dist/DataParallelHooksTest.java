package org.tensorbridge.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TorchException;

/**
 * DataParallel's reducer in a world of one (the all-reduce is the identity, so the gradients must come back
 * unchanged): when the hooks start the buckets, unused and frozen parameters, noSync, a second backward.
 */
class DataParallelHooksTest {
    @TempDir
    Path dir;
    ProcessGroup group;
    Scope scope;

    @BeforeEach
    void open() {
        group = ProcessGroup.file(dir.resolve("store"), 0, 1, Duration.ofSeconds(30));
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        group.close();
    }

    private static Tensor[] batch() {
        return Scenarios.data();
    }

    private static float[][] grads(List<Tensor> params) {
        float[][] out = new float[params.size()][];
        for (int i = 0; i < out.length; i++) {
            Tensor g = params.get(i).grad();
            out[i] = g == null ? null : g.toFloatArray();
        }
        return out;
    }

    @Test
    void theFirstBucketStartsWhileBackwardStillRuns() {
        List<Tensor> params = Scenarios.mlp(0);
        Tensor[] d = batch();
        Scenarios.loss(params, d[0].select(0, 0), d[1].select(0, 0)).backward();
        float[][] expected = grads(params);
        params.forEach(p -> p.setGrad(null));
        try (DataParallel ddp = new DataParallel(group, params, 1)) {  // one bucket per parameter
            assertEquals(4, ddp.bucketCount());
            ddp.backward(Scenarios.loss(params, d[0].select(0, 0), d[1].select(0, 0)));
            DataParallel.ReductionStats stats = ddp.lastStats();
            assertEquals(new DataParallel.ReductionStats(1, 4, 4, 0, 3), stats,
                    "the hook of the first bucket's gradient started its all-reduce while 3 gradients were to come");
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(expected[i], params.get(i).grad().toFloatArray(), "parameter " + i);
            }
        }
    }

    @Test
    void oneBucketStartsWhenItsLastGradientArrives() {
        List<Tensor> params = Scenarios.mlp(0);
        Tensor[] d = batch();
        try (DataParallel ddp = new DataParallel(group, params)) {
            assertEquals(1, ddp.bucketCount());
            ddp.backward(Scenarios.loss(params, d[0].select(0, 0), d[1].select(0, 0)));
            assertEquals(new DataParallel.ReductionStats(1, 1, 1, 0, 0), ddp.lastStats());
        }
    }

    @Test
    void unusedAndFrozenParametersNeitherBlockNorFail() {
        List<Tensor> params = new ArrayList<>(Scenarios.mlp(0));
        Tensor unused = Tensor.ones(5).requiresGrad(true);
        Tensor frozen = Tensor.ones(3);
        params.add(1, unused);  // in the middle: its bucket and the ones after it start at synchronization
        params.add(frozen);
        Tensor[] d = batch();
        try (DataParallel ddp = new DataParallel(group, params, 1)) {
            assertEquals(5, ddp.bucketCount(), "the frozen parameter is not reduced");
            ddp.backward(Scenarios.loss(List.of(params.get(0), params.get(2), params.get(3), params.get(4)),
                    d[0].select(0, 0), d[1].select(0, 0)));
            DataParallel.ReductionStats stats = ddp.lastStats();
            assertEquals(3, stats.startedDuringBackward(), stats.toString());
            assertEquals(2, stats.startedAfterBackward(), stats.toString());
            assertArrayEquals(new float[5], unused.grad().toFloatArray(), "an unused parameter gets zeros");
            assertNull(frozen.grad());
        }
    }

    @Test
    void insideNoSyncTheHooksDoNothingAndTheNextBackwardReducesTheSum() {
        List<Tensor> params = Scenarios.mlp(0);
        Tensor[] d = batch();
        Scenarios.loss(params, d[0].select(0, 0), d[1].select(0, 0)).backward();
        Scenarios.loss(params, d[0].select(0, 1), d[1].select(0, 1)).backward();
        float[][] expected = grads(params);
        params.forEach(p -> p.setGrad(null));
        try (DataParallel ddp = new DataParallel(group, params, 1)) {
            try (DataParallel.NoSync noSync = ddp.noSync()) {
                ddp.backward(Scenarios.loss(params, d[0].select(0, 0), d[1].select(0, 0)));
                ddp.synchronizeGradients();  // a no-op here
            }
            assertEquals(0, ddp.lastStats().steps(), "nothing was reduced inside noSync");
            ddp.backward(Scenarios.loss(params, d[0].select(0, 1), d[1].select(0, 1)));
            assertEquals(new DataParallel.ReductionStats(1, 4, 4, 0, 3), ddp.lastStats());
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(expected[i], params.get(i).grad().toFloatArray(), 1e-6f, "parameter " + i);
            }
        }
    }

    @Test
    void aSecondBackwardBeforeSynchronizingIsAnError() {
        List<Tensor> params = Scenarios.mlp(0);
        Tensor[] d = batch();
        try (DataParallel ddp = new DataParallel(group, params, 1)) {
            Scenarios.loss(params, d[0].select(0, 0), d[1].select(0, 0)).backward();
            TorchException e = assertThrows(TorchException.class,
                    () -> Scenarios.loss(params, d[0].select(0, 1), d[1].select(0, 1)).backward());
            assertTrue(e.getMessage().contains("a backward ran twice without synchronizeGradients()")
                    && e.getMessage().contains("noSync()"), e.getMessage());
            ddp.synchronizeGradients();  // completes the round; the next step works again
            params.forEach(p -> p.setGrad(null));
            ddp.backward(Scenarios.loss(params, d[0].select(0, 1), d[1].select(0, 1)));
            assertEquals(2, ddp.lastStats().steps());
        }
    }

    @Test
    void synchronizingWithoutABackwardReducesTheAccumulatedGradients() {
        List<Tensor> params = Scenarios.mlp(0);
        Tensor[] d = batch();
        try (DataParallel ddp = new DataParallel(group, params, 1)) {
            try (DataParallel.NoSync noSync = ddp.noSync()) {
                ddp.backward(Scenarios.loss(params, d[0].select(0, 0), d[1].select(0, 0)));
            }
            float[][] expected = grads(params);
            ddp.synchronizeGradients();
            assertEquals(new DataParallel.ReductionStats(1, 4, 0, 4, 0), ddp.lastStats());
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(expected[i], params.get(i).grad().toFloatArray(), "parameter " + i);
            }
        }
    }

    @Test
    void aSparseGradientIsAClearError() {
        Tensor weight = Tensor.randn(10, 3).requiresGrad(true);
        try (DataParallel ddp = new DataParallel(group, List.of(weight))) {
            Tensor rows = Op.callTensor("aten::embedding", weight, Tensor.of(new long[] {1, 4}, 2), -1L, false, true);
            TorchException e = assertThrows(TorchException.class, () -> ddp.backward(rows.sum()));
            assertTrue(e.getMessage().contains("parameter 0 has a sparse gradient"), e.getMessage());
        }
    }

    @Test
    void aClosedDataParallelLeavesNoHooksBehind() {
        List<Tensor> params = Scenarios.mlp(0);
        Tensor[] d = batch();
        DataParallel ddp = new DataParallel(group, params, 1);
        ddp.close();
        // no hook fires any more: two plain backward passes in a row are fine
        Scenarios.loss(params, d[0].select(0, 0), d[1].select(0, 0)).backward();
        Scenarios.loss(params, d[0].select(0, 1), d[1].select(0, 1)).backward();
        assertThrows(IllegalStateException.class, ddp::synchronizeGradients);
    }
}
