package org.tensorbridge.torch;

import java.util.Arrays;
import org.tensorbridge.core.LeakCheck;
import org.tensorbridge.core.ResourceLeakException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Ownership: close() is idempotent, libtorch refcounts keep results alive, the Cleaner reports leaks. */
class LifetimeTest {

    @Test
    void closingTwiceIsHarmless() {
        Tensor x = Tensor.ones(3);
        x.close();
        assertDoesNotThrow(x::close);
        assertTrue(x.isClosed());
        try (Tensor y = Tensor.ones(3); Tensor s = y.sum()) {
            assertEquals(3.0, s.item());
        }
    }

    @Test
    void resultOutlivesItsInputs() {
        Tensor a = Tensor.arange(0, 6, 1, TensorOptions.DEFAULT);
        Tensor b = Tensor.full(2.0, 6);
        Tensor c = a.mul(b);
        a.close();
        b.close();
        try (c) {
            assertArrayEquals(new double[] {0, 2, 4, 6, 8, 10}, c.toDoubleArray());
        }
    }

    @Test
    void viewOutlivesItsBase() {
        Tensor base = Tensor.arange(0, 12, 1, TensorOptions.DEFAULT);
        Tensor view = base.view(3, 4);
        Tensor row = view.select(0, 2);
        base.close();
        view.close();
        try (row) {
            assertArrayEquals(new double[] {8, 9, 10, 11}, row.toDoubleArray());
            assertEquals(8, row.storageOffset());
        }
    }

    @Test
    void splitPiecesAndGradientsOutliveTheirSources() {
        Tensor x = Tensor.arange(0, 10, 1, TensorOptions.DEFAULT);
        List<Tensor> pieces = x.split(4, 0);
        x.close();
        assertEquals(3, pieces.size());
        assertArrayEquals(new double[] {8, 9}, pieces.get(2).toDoubleArray());
        pieces.forEach(Tensor::close);

        Tensor leaf = Tensor.ones(TensorOptions.DEFAULT.requiresGrad(true), 2);
        try (Tensor doubled = leaf.mul(3.0); Tensor s = doubled.sum()) {
            s.backward();
        }
        Tensor grad = leaf.grad();
        leaf.close();
        try (grad) {
            assertNotNull(grad);
            assertArrayEquals(new double[] {3, 3}, grad.toDoubleArray());
        }
    }

    @Test
    void sameTensorIdentity() {
        try (Tensor x = Tensor.ones(2); Tensor clone = x.clone(); Tensor view = x.view(2)) {
            assertTrue(x.isSameTensor(x));
            assertFalse(x.isSameTensor(clone));
            assertFalse(x.isSameTensor(view), "a view is a new TensorImpl over the same storage");
            assertEquals(x.dataAddress(), view.dataAddress());
        }
    }

    @Test
    void inPlaceOpsReturnTheSameTensor() {
        try (Tensor x = Tensor.ones(2); Tensor y = Tensor.ones(2)) {
            assertTrue(x.add_(y) == x);
            assertTrue(x.mul_(5.0) == x);
            assertArrayEquals(new double[] {10, 10}, x.toDoubleArray());
        }
    }

    /** Tensors nobody closed are freed by the Cleaner and counted. */
    @Test
    void unclosedTensorsAreCountedAfterGc() throws InterruptedException {
        long before = Tensor.unclosedCount();
        dropUnclosed(64);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (Tensor.unclosedCount() < before + 64 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
            byte[][] pressure = new byte[64][];
            for (int i = 0; i < pressure.length; i++) {
                pressure[i] = new byte[64 * 1024];
            }
        }
        assertTrue(Tensor.unclosedCount() >= before + 64,
                "after GC, unclosedCount should grow by 64 from " + before + " but is " + Tensor.unclosedCount());
        // With leak checking on (as in this build), each became an error carrying its creation stack.
        LeakCheck.collectGarbage();
        List<ResourceLeakException> leaks = LeakCheck.takeLeaks();
        if (LeakCheck.enabled()) {
            assertFalse(leaks.isEmpty(), "leak checking is on: the dropped tensors must be reported");
            for (ResourceLeakException leak : leaks) {
                assertTrue(leak.getMessage().contains("a tensor was never closed"), leak.getMessage());
                assertTrue(Arrays.stream(leak.getCause().getStackTrace())
                        .anyMatch(frame -> frame.getMethodName().equals("dropUnclosed")), "the stack names the creator");
            }
        }
        // and the library is fine afterwards
        try (Tensor x = Tensor.ones(2); Tensor s = x.sum()) {
            assertEquals(2.0, s.item());
        }
    }

    private static void dropUnclosed(int count) {
        for (int i = 0; i < count; i++) {
            Tensor leaked = Tensor.zeros(8);
            assertEquals(8, leaked.numel());
        }
    }
}
