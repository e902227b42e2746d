package org.tensorbridge.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.core.Scope;
import org.tensorbridge.testkit.Python;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/** A Java rank and a Python rank (PyTorch on the same libtorch release) in one Gloo process group. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MixedGroupTest {
    static final String PYTHON_RANK = """
            import os, sys, datetime, torch, torch.distributed as dist
            path, rank, world = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            store = dist.FileStore(path, world)
            opts = dist.ProcessGroupGloo._Options()
            opts._timeout = datetime.timedelta(seconds=60)
            opts._devices = [dist.ProcessGroupGloo.create_device(hostname="127.0.0.1")]
            pg = dist.ProcessGroupGloo(store, rank, world, opts)
            t = torch.tensor([1.0, 2.0, 3.0]) * (rank + 1)
            pg.allreduce([t]).wait()
            b = torch.zeros(2, dtype=torch.float64)
            pg.broadcast(b, 0).wait()
            outs = [torch.zeros(2), torch.zeros(2)]
            pg.allgather([outs], [torch.tensor([10.0, 20.0]) * (rank + 1)]).wait()
            pg.barrier().wait()
            print(" ".join(repr(float(v)) for v in list(t) + list(b) + list(torch.cat(outs))), flush=True)
            # every collective is done: leave without tearing the group down at interpreter exit, where pip's
            # torch 2.13 Gloo sometimes aborts ("terminate called without an active exception", exit 134)
            os._exit(0)
            """;

    @TempDir
    Path dir;

    @Test
    void aJavaRankAndAPythonRankAllReduceTogether() throws Exception {
        Python python = Python.torch(Torch.version()).orElse(null);
        Assumptions.assumeTrue(python != null, () -> Python.noTorchReason(Torch.version()));
        Path store = dir.resolve("store");
        CompletableFuture<String> pythonRank = CompletableFuture.supplyAsync(
                () -> python.run(PYTHON_RANK, store.toString(), "1", "2"));
        try (ProcessGroup group = ProcessGroup.file(store, 0, 2, Duration.ofSeconds(60)); Scope scope = Scope.open()) {
            run(group, pythonRank);
        } catch (DistException e) {
            try {
                pythonRank.get(30, TimeUnit.SECONDS);
            } catch (Exception pythonFailure) {
                e.addSuppressed(pythonFailure);  // the Python rank's own error, when it failed first
            }
            throw e;
        }
    }

    private static void run(ProcessGroup group, CompletableFuture<String> pythonRank) throws Exception {
        {
            Tensor t = group.allReduce(Tensor.of(new float[] {1, 2, 3}, 3));
            Tensor b = group.broadcast(Tensor.of(new double[] {0.5, -4}, 2), 0);
            java.util.List<Tensor> outs = java.util.List.of(Tensor.zeros(2), Tensor.zeros(2));
            group.allGather(outs, Tensor.of(new float[] {10, 20}, 2));
            group.barrier();
            double[] fromPython = Python.parseDoubles(pythonRank.get(120, TimeUnit.SECONDS));
            assertArrayEquals(new float[] {3, 6, 9}, t.toFloatArray());
            assertArrayEquals(new double[] {3, 6, 9, 0.5, -4, 10, 20, 20, 40}, fromPython);
            assertArrayEquals(new float[] {10, 20, 20, 40}, Tensor.cat(outs, 0).toFloatArray());
        }
    }
}
