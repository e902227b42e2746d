package org.tensorbridge.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing a tensor while another thread is inside a call on it never frees it under that call. */
class ConcurrentCloseTest {
    @Test
    void aCallInFlightFinishesOnItsInputWhenAnotherThreadClosesIt() throws Exception {
        for (int round = 0; round < 5; round++) {
            Tensor a = Tensor.ones(1200, 1200);
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Double> result = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                double total = 0;
                for (int i = 0; i < 4; i++) {
                    try (Tensor product = a.matmul(a); Tensor sum = product.sum()) {
                        total = sum.item();
                    } catch (IllegalStateException closedMeanwhile) {
                        return total;  // a later call saw the close: that is the contract
                    }
                }
                return total;
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            a.close();  // races with the matmuls: they must finish on valid memory
            double total = result.get(60, TimeUnit.SECONDS);
            assertTrue(total == 0 || total == 1200.0 * 1200 * 1200, "a finished matmul sums to n^3, got " + total);
            assertTrue(a.isClosed());
            assertThrows(IllegalStateException.class, a::sum);
        }
    }

    @Test
    void closingTwiceFromTwoThreadsFreesOnce() throws Exception {
        for (int i = 0; i < 200; i++) {
            Tensor t = Tensor.zeros(16);
            CompletableFuture<Void> other = CompletableFuture.runAsync(t::close);
            t.close();
            other.get(10, TimeUnit.SECONDS);
            assertTrue(t.isClosed());
        }
        try (Tensor alive = Tensor.ones(3); Tensor sum = alive.sum()) {
            assertEquals(3.0, sum.item());
        }
    }
}
