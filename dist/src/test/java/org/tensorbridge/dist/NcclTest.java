package org.tensorbridge.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.Scope;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/**
 * NCCL for CUDA tensors. Without NCCL (a CPU-only shim, or no usable GPU) asking for it is a clear error; the
 * {@code cuda}-tagged tests run where a GPU is usable and skip elsewhere.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NcclTest {
    @TempDir
    Path dir;

    @Test
    void withoutNcclAskingForItIsAClearError() {
        Assumptions.assumeFalse(ProcessGroup.isNcclAvailable(), "NCCL is available here");
        String reason = ProcessGroup.ncclUnavailableReason();
        assertTrue(reason.contains("without NCCL") || reason.contains("no CUDA device")
                || reason.contains("without distributed support"), reason);
        assertEquals(EnumSet.of(ProcessGroup.Backend.GLOO), ProcessGroup.defaultBackends());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> ProcessGroup.nccl("127.0.0.1", Child.freePort(), 0, 1, Duration.ofSeconds(5)).close());
        assertTrue(e.getMessage().contains("NCCL is not available: " + reason) && e.getMessage().contains("Backend.GLOO"),
                e.getMessage());
        if (ProcessGroup.isAvailable()) {
            try (ProcessGroup group = ProcessGroup.file(dir.resolve("store"), 0, 1, Duration.ofSeconds(5))) {
                assertEquals(EnumSet.of(ProcessGroup.Backend.GLOO), group.backends());
            }
        }
    }

    /** Runs against a shim built without Gloo (e.g. TB_GLOO=0 build.sh, or no libgloo-dev); skips elsewhere. */
    @Test
    void withoutGlooEveryGroupOfItNamesTheFix() {
        Assumptions.assumeFalse(ProcessGroup.isAvailable(), "Gloo is built in");
        String reason = ProcessGroup.unavailableReason();
        assertTrue(reason.contains("libgloo-dev") && reason.contains("build.sh"), reason);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> ProcessGroup.file(dir.resolve("store"), 0, 1, Duration.ofSeconds(5)).close());
        assertEquals(reason, e.getMessage());
    }

    private static void assumeNccl(int gpus) {
        Assumptions.assumeTrue(Torch.cudaAvailable() && ProcessGroup.isNcclAvailable(),
                () -> "NCCL is not available: " + ProcessGroup.ncclUnavailableReason());
        Assumptions.assumeTrue(Torch.cudaDeviceCount() >= gpus, () -> "needs " + gpus + " GPUs (one per rank), has "
                + Torch.cudaDeviceCount());
    }

    @Test
    @Tag("cuda")
    void aWorldOfOneReducesCudaTensorsOverNcclAndCpuTensorsOverGloo() {
        assumeNccl(1);
        Assumptions.assumeTrue(ProcessGroup.isAvailable(), ProcessGroup::unavailableReason);
        try (ProcessGroup group = ProcessGroup.file(dir.resolve("store"), 0, 1, Duration.ofSeconds(60));
                Scope scope = Scope.open()) {
            assertEquals(EnumSet.allOf(ProcessGroup.Backend.class), group.backends());
            Tensor cuda = Tensor.of(new float[] {1, 2}, 2).to(Device.cuda(0));
            group.allReduce(cuda);
            assertArrayEquals(new float[] {1, 2}, cuda.toFloatArray());
            assertArrayEquals(new float[] {3, 4}, group.allReduce(Tensor.of(new float[] {3, 4}, 2)).toFloatArray());
            List<Tensor> params = List.of(Tensor.ones(3).to(Device.cuda(0)).requiresGrad(true));
            try (DataParallel ddp = new DataParallel(group, params)) {
                ddp.backward(params.get(0).mul(2.0).sum());
                assertArrayEquals(new float[] {2, 2, 2}, params.get(0).grad().toFloatArray());
                assertEquals(1, ddp.lastStats().startedDuringBackward());
            }
        }
    }

    @Test
    @Tag("cuda")
    void twoRanksOnTwoGpusAllReduceAndAverageGradientsOverNccl() throws Exception {
        assumeNccl(2);
        int port = Child.freePort();
        try (Child child = Child.java(dir, "nccl", "1", "2", "tcp:127.0.0.1:" + port, "60000");
                ProcessGroup group = ProcessGroup.nccl("127.0.0.1", port, 0, 2, Duration.ofSeconds(60))) {
            Scenarios.nccl(group);
            assertEquals(0, child.exit(120), child.output());
        }
    }

    @Test
    void theBackendsAreNamedInTheGroup() {
        Assumptions.assumeTrue(ProcessGroup.isAvailable(), ProcessGroup::unavailableReason);
        try (ProcessGroup group = ProcessGroup.file(dir.resolve("store"), 0, 1, Duration.ofSeconds(5),
                EnumSet.of(ProcessGroup.Backend.GLOO))) {
            assertFalse(group.backends().contains(ProcessGroup.Backend.NCCL));
            assertThrows(UnsupportedOperationException.class, () -> group.backends().add(ProcessGroup.Backend.NCCL));
        }
    }
}
