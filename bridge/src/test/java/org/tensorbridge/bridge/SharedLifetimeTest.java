package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.core.LeakCheck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tensorbridge.bridge.BridgeTestSupport.assertPendingBackTo;
import static org.tensorbridge.bridge.BridgeTestSupport.values;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.NDBuffer;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.internal.Deleters;

/**
 * Memory shared between an NDArray and tensors stays valid until both sides are done, in every order, and
 * is freed exactly then: {@link NDBuffer#isAlive()} turns false and {@link Deleters#pending()} (memory
 * libtorch still holds) returns to its value before the test.
 */
class SharedLifetimeTest {
    private static final int N = 1 << 18;  // 1 MiB of float32
    private int pending;

    @BeforeEach
    void baseline() {
        pending = Deleters.pending();
    }

    private static NDArray ramp() {
        NDArray a = NDArray.zeros(DType.FLOAT32, N);
        for (int i = 0; i < N; i += 4096) {
            a.setDouble(i, i);
        }
        return a;
    }

    @Test
    void closingTheArrayFirstKeepsTheMemoryForTheTensorAndItsViews() {
        NDArray array = ramp();
        NDBuffer buffer = array.buffer();
        Tensor tensor = Bridge.fromArray(array);
        assertEquals(2, buffer.refCount(), "the tensor retained the buffer");
        assertEquals(pending + 1, Deleters.pending());
        Tensor view = tensor.slice(0, 4096, 3 * 4096 + 1, 4096);  // elements 4096, 8192, 12288

        array.close();
        assertTrue(buffer.isAlive(), "closing the array frees nothing under the tensor");
        assertEquals(1, buffer.refCount());
        assertEquals(8192.0, values(tensor)[8192], "tensor values still readable");
        tensor.mul_(2);  // still writable

        tensor.close();
        assertTrue(buffer.isAlive(), "a view of the tensor still uses the storage");
        assertEquals(pending + 1, Deleters.pending());
        assertArrayEquals(new double[] {8192, 16384, 24576}, values(view));

        view.close();
        assertFalse(buffer.isAlive(), "freed once the last view is closed");
        assertEquals(0, buffer.refCount());
        assertPendingBackTo(pending);
        assertThrows(IllegalStateException.class, () -> array.getDouble(0), "the array is closed");
    }

    @Test
    void closingTheTensorFirstLeavesTheArrayUsable() {
        NDArray array = ramp();
        NDBuffer buffer = array.buffer();
        Tensor tensor = Bridge.fromArray(array);
        tensor.mul_(3);
        tensor.close();
        assertPendingBackTo(pending);
        assertEquals(1, buffer.refCount(), "the deleter released the tensor's count");
        assertTrue(buffer.isAlive());
        assertEquals(3 * 4096.0, array.getDouble(4096), "the tensor's write stays in the array");
        array.close();
        assertFalse(buffer.isAlive());
    }

    @Test
    void viewsOutliveBothTheTensorAndTheArray() {
        NDArray array = ramp();
        NDBuffer buffer = array.buffer();
        Tensor tensor = Bridge.fromArray(array);
        Tensor matrix = tensor.view(512, 512);
        Tensor column = matrix.select(1, 0);          // every 512th element: 0, 512, ...
        Tensor rows = matrix.slice(0, 8, 24, 8);      // rows 8 and 16
        Tensor rowsT = rows.t();                      // a view of a view
        tensor.close();
        array.close();
        assertTrue(buffer.isAlive());

        // writes through one surviving view are seen through another
        column.mul_(-1);
        assertEquals(-4096.0, values(rowsT)[0], "rows.t()[0][0] is element 4096 = row 8, column 0");
        matrix.close();
        column.close();
        rows.close();
        assertTrue(buffer.isAlive(), "rowsT is still open");
        assertEquals(pending + 1, Deleters.pending());
        assertEquals(-8192.0, values(rowsT)[1]);
        rowsT.close();
        assertFalse(buffer.isAlive());
        assertPendingBackTo(pending);
    }

    @Test
    void anArrayMadeFromATensorKeepsItsStorageAfterTheTensorCloses() {
        // array -> tensor -> array: the native check is the Java buffer at the bottom of the chain
        NDArray original = ramp();
        NDBuffer buffer = original.buffer();
        Tensor tensor = Bridge.fromArray(original);
        Tensor sliced = tensor.slice(0, 4096, N, 4096);
        NDArray back = Bridge.toArray(sliced);
        assertEquals(sliced.dataAddress(), back.segment().address());
        sliced.close();
        tensor.close();
        original.close();
        assertTrue(buffer.isAlive(), "the array from toArray holds the tensor's storage");
        assertEquals(pending + 1, Deleters.pending());
        assertEquals(4096.0, back.getDouble(0));
        back.setDouble(-1, 1);
        NDArray backView = back.slice(0, 0, 4, 1);  // a view holds a count, like every NDArray
        assertEquals(-1.0, backView.getDouble(1));
        back.close();
        assertTrue(buffer.isAlive(), "the view of the array still holds the storage");
        assertEquals(-1.0, backView.getDouble(1));
        backView.close();
        // The array's segment lives in an automatic arena (no JVM-wide handshake on release): the tensor handle
        // it kept, and through it the original buffer, go when the GC finds the segment unreachable.
        assertThrows(IllegalStateException.class, () -> backView.getDouble(0), "released: refused at once");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (buffer.isAlive() && System.nanoTime() < deadline) {
            System.gc();
            sleep(20);
        }
        assertFalse(buffer.isAlive(), "closing the last holder frees the memory through libtorch's deleter");
        assertPendingBackTo(pending);
        assertThrows(IllegalStateException.class, () -> backView.getDouble(0));
    }

    @Test
    void tensorMemoryGoesBackToATensorAsAViewOfTheSameStorage() {
        try (Scope scope = Scope.open()) {
            Tensor tensor = Tensor.arange(0, N, 1, TensorOptions.DEFAULT);
            NDArray array = Bridge.toArray(tensor);
            Tensor strided = Bridge.fromArray(array.slice(0, 100, 200, 2));
            Tensor bits = Bridge.fromArray(array.viewAs(DType.INT32));
            assertEquals(pending, Deleters.pending(), "no Java deleter: views of the tensor's own storage");
            assertEquals(tensor.storageBytes(), strided.storageBytes());
            assertEquals(100.0, strided.getDouble(0));
            assertEquals(Float.floatToIntBits(5f), bits.getLong(5));
            strided.fill_(-1);
            assertEquals(-1.0, tensor.getDouble(102), "writes through the view reach the tensor");
            tensor.close();
            array.close();
            assertEquals(-1.0, strided.getDouble(1), "the view holds the storage by itself");
        }
    }

    @Test
    void aTorchOwnedTensorSurvivesAsAnArray() {
        Tensor tensor = Tensor.arange(0, N, 1, TensorOptions.DEFAULT);
        long address = tensor.dataAddress();
        NDArray array = Bridge.toArray(tensor);
        tensor.close();
        assertTrue(array.isAlive());
        assertEquals(address, array.segment().address());
        assertEquals(N - 1.0, array.getDouble(N - 1), "libtorch's memory is still valid");
        try (Tensor again = Bridge.fromArray(array)) {   // and back: shares the same storage again
            assertEquals(address, again.dataAddress());
            array.close();
            assertEquals(12.0, values(again)[12]);
        }
        assertFalse(array.isAlive());
        assertPendingBackTo(pending);
    }

    @Test
    void theDeleterMayFireOnAnotherThread() throws Exception {
        NDArray array = ramp();
        NDBuffer buffer = array.buffer();
        Tensor tensor = Bridge.fromArray(array);
        array.close();
        AtomicReference<String> closer = new AtomicReference<>();
        ForkJoinPool.commonPool().submit(() -> {
            closer.set(Thread.currentThread().getName());
            tensor.close();
        }).get();
        assertNotEquals(Thread.currentThread().getName(), closer.get());
        assertFalse(buffer.isAlive(), "the deleter ran on the ForkJoin thread and freed the memory");
        assertPendingBackTo(pending);

        // a view closed on a virtual thread
        NDArray second = ramp();
        NDBuffer secondBuffer = second.buffer();
        Tensor t2 = Bridge.fromArray(second);
        Tensor v2 = t2.view(2, N / 2);
        t2.close();
        second.close();
        Thread thread = Thread.ofVirtual().start(v2::close);
        thread.join();
        assertFalse(secondBuffer.isAlive());
        assertPendingBackTo(pending);
    }

    @Test
    void manyThreadsSharingOneArrayFreeItExactlyOnce() throws Exception {
        NDArray array = ramp();
        NDBuffer buffer = array.buffer();
        int threads = 4;
        int rounds = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Tensor> survivors = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        try (Tensor shared = Bridge.fromArray(array)) {
                            Tensor view = shared.slice(0, 0, 8, 1);
                            if (ThreadLocalRandom.current().nextInt(100) == 0) {
                                survivors.add(view);  // closed later, elsewhere
                            } else {
                                view.close();
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1 + survivors.size(), buffer.refCount(), "each surviving view holds its tensor's storage: one count each");
        array.close();
        assertEquals(survivors.isEmpty(), !buffer.isAlive());
        survivors.parallelStream().forEach(Tensor::close);
        assertFalse(buffer.isAlive());
        assertEquals(0, buffer.refCount());
        assertPendingBackTo(pending);
    }

    @Test
    void autogradFreesASharedArrayWhenBackwardReleasesTheGraph() {
        NDArray x = ramp();
        NDBuffer buffer = x.buffer();
        Tensor w = Tensor.ones(N).requiresGrad(true);
        Tensor y;
        try (Tensor xt = Bridge.fromArray(x); Tensor product = w.mul(xt)) {
            y = product.sum();   // mul saved xt for w's gradient
        }
        x.close();
        assertTrue(buffer.isAlive(), "the autograd graph holds the shared memory");
        assertEquals(pending + 1, Deleters.pending());
        y.backward();            // frees the graph's saved tensors: libtorch's deleter fires from autograd
        assertFalse(buffer.isAlive(), "backward released the saved array");
        assertPendingBackTo(pending);
        try (Tensor grad = w.grad()) {
            double[] g = values(grad);
            assertEquals(4096.0, g[4096], "dy/dw = x");
            assertEquals(0.0, g[1]);
        }
        y.close();
        w.close();
    }

    @Test
    void anUnclosedTensorIsFreedByTheCleaner() throws Exception {
        NDArray array = ramp();
        NDBuffer buffer = array.buffer();
        Bridge.fromArray(array);   // dropped without close()
        array.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (buffer.isAlive() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertFalse(buffer.isAlive(), "the Tensor Cleaner freed the handle and libtorch's deleter released the buffer");
        assertPendingBackTo(pending);
        if (LeakCheck.enabled()) {
            assertEquals(1, LeakCheck.takeLeaks().size(), "leak checking reports the dropped tensor");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
