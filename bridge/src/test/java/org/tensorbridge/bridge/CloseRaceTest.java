package org.tensorbridge.bridge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.Tensor;

/**
 * A close racing a call on another thread: the call either completes on valid memory or fails with the
 * project's message — never the JDK's "Already closed", never a crash.
 */
class CloseRaceTest {
    private static List<String> race(int rounds, java.util.function.Function<NDArray, Object> use) throws Exception {
        List<String> unexpected = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            NDArray array = NDArray.ones(DType.FLOAT32, 1 << 19);  // 2 MiB: a shared arena, closed off-thread
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Void> user = CompletableFuture.runAsync(() -> {
                started.countDown();
                for (int i = 0; i < 50; i++) {
                    try (Scope scope = Scope.open()) {
                        use.apply(array);
                    } catch (IllegalStateException e) {
                        if (!e.getMessage().contains("was closed")) {
                            synchronized (unexpected) {
                                unexpected.add(e + " at " + java.util.Arrays.toString(java.util.Arrays.copyOf(e.getStackTrace(), 8)));
                            }
                        }
                        return;
                    }
                }
            });
            started.await();
            array.close();
            user.get();
        }
        return unexpected;
    }

    @Test
    void arrayOperationsRacingACloseFailWithTheProjectsMessage() throws Exception {
        List<String> unexpected = new ArrayList<>();
        unexpected.addAll(race(150, a -> a.add(1.0)));
        unexpected.addAll(race(150, a -> a.sum()));
        unexpected.addAll(race(150, a -> a.copy()));
        unexpected.addAll(race(150, a -> Bridge.fromArray(a)));
        unexpected.addAll(race(150, a -> a.getDouble(12345)));
        assertTrue(unexpected.isEmpty(), unexpected.size() + " unexpected failures, e.g. " + unexpected.stream().limit(3).toList());
    }

    @Test
    void tensorCallsRacingACloseFailWithTheProjectsMessage() throws Exception {
        List<String> unexpected = new ArrayList<>();
        for (int round = 0; round < 300; round++) {
            Tensor tensor = Tensor.ones(512, 512);
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Void> user = CompletableFuture.runAsync(() -> {
                started.countDown();
                for (int i = 0; i < 20; i++) {
                    try (Scope scope = Scope.open()) {
                        tensor.mul(2.0).sum().item();
                        Bridge.toArray(tensor).sum();
                    } catch (IllegalStateException e) {
                        if (!e.getMessage().contains("was closed")) {
                            synchronized (unexpected) {
                                unexpected.add(e + " at " + java.util.Arrays.toString(java.util.Arrays.copyOf(e.getStackTrace(), 8)));
                            }
                        }
                        return;
                    }
                }
            });
            started.await();
            tensor.close();
            user.get();
        }
        assertTrue(unexpected.isEmpty(), unexpected.size() + " unexpected failures, e.g. " + unexpected.stream().limit(3).toList());
    }
}
