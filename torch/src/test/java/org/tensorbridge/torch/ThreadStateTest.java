package org.tensorbridge.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Parallelism;
import org.tensorbridge.core.Scope;

/**
 * libtorch keeps grad mode, autocast and the current stream per OS thread; tensorbridge keeps them per Java
 * thread and applies them to whichever OS thread runs a call. Virtual threads that park inside a scope
 * resume on other carriers: what libtorch computes must still follow each virtual thread's own setting.
 */
class ThreadStateTest {
    private static final int THREADS = 32;
    private static final int ROUNDS = 40;

    /** Runs {@code body(threadIndex)} on THREADS virtual threads; returns how many checks failed. */
    private static int onVirtualThreads(BodyWithIndex body) throws Exception {
        AtomicInteger wrong = new AtomicInteger();
        try (ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int index = t;
                futures.add(virtualThreads.submit(() -> {
                    for (int round = 0; round < ROUNDS; round++) {
                        if (!body.check(index)) {
                            wrong.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }
        return wrong.get();
    }

    interface BodyWithIndex {
        boolean check(int threadIndex) throws Exception;
    }

    @Test
    void gradModeFollowsEachVirtualThread() throws Exception {
        try (Tensor x = Tensor.ones(TensorOptions.DEFAULT.requiresGrad(true), 4)) {
            int wrong = onVirtualThreads(index -> {
                boolean enabled = index % 2 == 0;
                try (GradMode mode = enabled ? GradMode.enabled() : GradMode.disabled(); Scope scope = Scope.open()) {
                    Thread.sleep(1);  // park: the virtual thread may resume on another carrier
                    boolean recorded = x.mul(2.0).requiresGrad();
                    return recorded == enabled && GradMode.isEnabled() == enabled;
                }
            });
            assertEquals(0, wrong, "operations recorded (or not) for autograd as their own virtual thread's mode says");
        }
        assertTrue(GradMode.isEnabled(), "this thread's mode is untouched");
    }

    @Test
    void autocastFollowsEachVirtualThread() throws Exception {
        try (Tensor a = Tensor.rand(8, 8); Tensor b = Tensor.rand(8, 8)) {
            int wrong = onVirtualThreads(index -> {
                boolean amp = index % 2 == 1;
                try (Scope scope = Scope.open()) {
                    if (!amp) {
                        Thread.sleep(1);
                        return a.mm(b).dtype() == DType.FLOAT32;
                    }
                    try (Autocast autocast = Autocast.enable(DeviceType.CPU, DType.BFLOAT16)) {
                        Thread.sleep(1);
                        return a.mm(b).dtype() == DType.BFLOAT16 && Autocast.isEnabled(DeviceType.CPU);
                    }
                }
            });
            assertEquals(0, wrong, "mm ran in bfloat16 exactly on the virtual threads inside an autocast scope");
        }
    }

    @Test
    void aStateScopeIsClosedOnItsOwnThread() throws Exception {
        GradMode mode = GradMode.disabled();
        try (ExecutorService other = Executors.newSingleThreadExecutor()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> other.submit(mode::close).get());
            assertTrue(e.getCause().getMessage().contains("close this scope on"), e.getCause().getMessage());
        }
        mode.close();
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void oneThreadSettingForLibtorchAndTheArrayLayer() {
        int before = Torch.numThreads();
        try {
            Torch.setNumThreads(1);
            assertEquals(1, Torch.numThreads(), "libtorch's intra-op pool");
            assertEquals(1, Parallelism.threads(), "the array layer's loops");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Torch.setNumThreads(0));
            assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
        } finally {
            Torch.setNumThreads(before);
        }
    }

    @Test
    @Tag("cuda")
    void aVirtualThreadParkingInsideAStreamScopeKeepsItsStream() throws Exception {
        assumeTrue(Torch.cudaAvailable(), "no usable CUDA device");
        try (CudaStream stream = CudaStream.create(0)) {
            long id = stream.id();
            int wrong = onVirtualThreads(index -> {
                if (index % 2 == 0) {
                    try (CudaStream.Scope current = stream.makeCurrent()) {
                        Thread.sleep(1);
                        try (CudaStream now = CudaStream.current(0)) {
                            return now.id() == id;
                        }
                    }
                }
                Thread.sleep(1);
                try (CudaStream now = CudaStream.current(0)) {
                    return now.id() != id;
                }
            });
            assertEquals(0, wrong, "each virtual thread sees its own current stream after parking");
        }
    }
}
