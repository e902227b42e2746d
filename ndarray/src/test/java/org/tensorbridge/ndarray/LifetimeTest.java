package org.tensorbridge.ndarray;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The lifetime model: owners, views, retain/release, external memory, read-only arrays. */
class LifetimeTest {

    @Test
    void foreignMemoryIsGivenBackOnceAtTheLastReleaseWhenNoSegmentWasHandedOut() {
        int[] givenBack = new int[1];
        try (Arena arena = Arena.ofConfined()) {
            NDBuffer buffer = NDBuffer.ofForeign(arena.allocate(64), () -> givenBack[0]++);
            buffer.retain();
            buffer.release();
            assertEquals(0, givenBack[0], "a count is still held");
            buffer.release();
            assertEquals(1, givenBack[0], "no segment was handed out: the share goes back at once");
            buffer.release();  // one release too many: logged, the action does not run again
            assertEquals(1, givenBack[0]);
            assertThrows(IllegalStateException.class, buffer::segment);
            assertThrows(IllegalStateException.class, buffer::address);
            assertEquals(64, buffer.byteSize(), "the size stays known for messages");
        }
    }

    @Test
    void foreignMemoryWhoseSegmentWasHandedOutIsGivenBackOnlyAfterThatSegmentIsDead() {
        java.util.concurrent.atomic.AtomicInteger givenBack = new java.util.concurrent.atomic.AtomicInteger();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(64);
            NDBuffer buffer = NDBuffer.ofForeign(memory, givenBack::incrementAndGet);
            MemorySegment handedOut = buffer.segment();
            assertEquals(memory.address(), handedOut.address());
            assertEquals(memory.address(), buffer.address());
            buffer.release();
            assertThrows(IllegalStateException.class, buffer::segment);
            // the handed-out segment's arena is closed off-thread; the share goes back only after that
            assertTrue(NDBuffer.awaitPendingFrees(java.time.Duration.ofSeconds(10)));
            assertThrows(IllegalStateException.class, () -> handedOut.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            assertEquals(1, givenBack.get());
        }
    }

    @Test
    void viewsKeepTheMemoryAliveAfterTheOwnerClosesAsNumpyBaseDoes() {
        NDArray a = NDArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        NDBuffer buffer = a.buffer();
        NDArray v = a.transpose();
        NDArray s = a.slice(1, 0, 3, 2);
        assertTrue(a.ownsBuffer() && v.ownsBuffer() && s.ownsBuffer());
        assertSame(buffer, v.buffer());
        assertEquals(3, buffer.refCount());
        a.close();
        a.close(); // idempotent
        assertTrue(a.isClosed());
        // the closed array refuses every use, with the fix in the message ...
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.getDouble(0, 0));
        assertTrue(e.getMessage().contains("was closed") && e.getMessage().contains("copy()"), e.getMessage());
        assertThrows(IllegalStateException.class, a::copy);
        assertThrows(IllegalStateException.class, () -> a.add(1.0));
        assertThrows(IllegalStateException.class, a::segment);
        assertThrows(IllegalStateException.class, a::buffer);
        assertThrows(IllegalStateException.class, a::transpose);
        assertTrue(a.toString().contains("closed"), a.toString());
        // ... while its views still read the memory
        assertTrue(buffer.isAlive());
        assertEquals(2.0, v.getDouble(1, 0));
        assertArrayEquals(new double[] {1, 3, 4, 6}, s.toDoubleArray());
        v.close();
        assertTrue(buffer.isAlive());
        s.close();
        assertFalse(buffer.isAlive(), "the last view's close frees the memory");
        assertThrows(IllegalStateException.class, () -> s.getDouble(0, 0));
    }

    @Test
    void inPlaceMethodsReturnTheirReceiverAndNothingElseDoes() {
        try (NDArray a = NDArray.zeros(DType.FLOAT64, 2, 3); NDArray b = NDArray.ones(DType.FLOAT64, 3)) {
            assertSame(a, a.fill(2));
            assertSame(a, a.assign(b));
            NDArray same = a.ascontiguous();  // contiguous already: no copy, but a new array
            assertNotSame(a, same);
            assertSame(a.buffer(), same.buffer());
            same.close();
            assertFalse(a.isClosed(), "closing ascontiguous()'s result leaves the input open");
            assertEquals(1.0, a.getDouble(1, 2));
            try (NDArray r = a.reshape(6); NDArray c = a.copy(); NDArray t = a.astype(DType.FLOAT64)) {
                assertNotSame(a, r);
                assertNotSame(a, t);
                assertNotSame(a.buffer(), c.buffer());
            }
        }
    }

    @Test
    void retainKeepsMemoryAliveAfterTheOwnerCloses() throws Exception {
        NDArray a = NDArray.full(DType.FLOAT64, 2.5, 1000);
        NDBuffer buf = a.buffer().retain(); // like a libtorch tensor wrapping the memory
        assertEquals(2, buf.refCount());
        NDArray view = a.slice(0, 10, 20, 1);
        a.close();
        assertTrue(buf.isAlive());
        assertEquals(2.5, view.getDouble(3));
        view.close();
        assertTrue(buf.isAlive());
        // the native deleter runs on another thread
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            ex.submit(buf::release).get();
        } finally {
            ex.shutdown();
        }
        assertFalse(buf.isAlive());
        assertEquals(0, buf.refCount());
        assertThrows(IllegalStateException.class, buf::segment);
        buf.release(); // over-release is logged, never thrown
    }

    @Test
    void concurrentRetainReleaseIsBalanced() throws Exception {
        NDArray a = NDArray.zeros(DType.INT8, 16);
        NDBuffer buf = a.buffer();
        int threads = 4;
        int perThread = 20000;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        try {
            Future<?>[] fs = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                fs[t] = ex.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        buf.retain();
                        buf.release();
                    }
                    return null;
                });
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            ex.shutdown();
        }
        assertEquals(1, buf.refCount());
        assertTrue(buf.isAlive());
        a.close();
        assertFalse(buf.isAlive());
    }

    @Test
    void reshapeReturnsViewOrOwnedCopy() {
        try (NDArray a = NDArray.of(new int[] {0, 1, 2, 3, 4, 5}, 2, 3); NDArray v = a.reshape(3, 2);
             NDArray t = a.transpose(); NDArray c = t.reshape(6); NDArray tc = t.ascontiguous()) {
            assertSame(a.buffer(), v.buffer());
            assertNotSame(a.buffer(), c.buffer(), "a transposed reshape copies");
            assertArrayEquals(new int[] {0, 3, 1, 4, 2, 5}, c.toIntArray());
            assertNotSame(a.buffer(), tc.buffer());
            assertTrue(tc.isCContiguous());
        }
    }

    @Test
    void externalMemoryIsNeverFreedByUs() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4 * 6);
            NDArray a = NDArray.wrap(seg, DType.FLOAT32, 2, 3);
            a.setDouble(7, 1, 2);
            NDBuffer wrapped = a.buffer();
            a.close();
            assertFalse(wrapped.isAlive(), "closing ends the array's access ...");
            assertEquals(7f, seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 5));
            NDBuffer b = NDBuffer.external(seg);
            b.release();
            assertFalse(b.isAlive());
            assertThrows(IllegalStateException.class, b::segment);
            // the user's arena is still open and usable
            assertEquals(7f, seg.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 5));
        }
    }

    @Test
    void ofArenaClosesTheArenaAtZero() {
        Arena arena = Arena.ofShared();
        MemorySegment seg = arena.allocate(64);
        NDBuffer b = NDBuffer.ofArena(seg, arena);
        NDArray a = NDArray.wrap(b, DType.INT64, new long[] {8}, new long[] {8}, 0, true);
        a.setLong(42, 7);
        a.close();
        assertThrows(IllegalStateException.class, b::segment);  // refused at once
        // the arena itself closes on the background closer thread (a shared close is a JVM-wide handshake)
        assertTrue(NDBuffer.awaitPendingFrees(java.time.Duration.ofSeconds(5)));
        assertFalse(seg.scope().isAlive());
    }

    @Test
    void directByteBufferWrapIsLittleEndian() {
        ByteBuffer bb = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(4, 123456);
        try (NDArray a = NDArray.wrap(bb, DType.INT32, 4);
             NDArray ro = NDArray.wrap(bb.asReadOnlyBuffer(), DType.INT32, 4)) {
            assertEquals(123456, a.getLong(1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NDArray.wrap(ByteBuffer.allocate(16), DType.INT32, 4));
            assertTrue(e.getMessage().contains("ByteBuffer.allocateDirect"), e.getMessage());
            assertTrue(ro.isReadOnly());
            assertThrows(UnsupportedOperationException.class, () -> ro.setLong(1, 0));
        }
    }

    @Test
    void readOnlyViewsRefuseWrites() {
        try (NDArray a = NDArray.zeros(DType.FLOAT32, 3); NDArray ro = a.asReadOnly();
             NDArray broadcast = a.broadcastTo(2, 3); NDArray expanded = a.expand(2, 3)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> ro.setDouble(1, 0));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> ro.fill(1));
            assertTrue(ro.segment().isReadOnly());
            assertTrue(broadcast.isReadOnly());
            assertFalse(expanded.isReadOnly());
        }
    }

    @Test
    void wrapValidatesReachableBytes() {
        try (NDArray a = NDArray.zeros(DType.FLOAT32, 10);
             NDArray rev = NDArray.wrap(a.buffer(), DType.FLOAT32, new long[] {10}, new long[] {-4}, 36, false)) {
            assertEquals(10, rev.size());
            assertEquals(40, rev.segment().byteSize());
            assertEquals(2, a.buffer().refCount(), "a wrap that does not own the caller's count takes its own");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NDArray.wrap(a.buffer(), DType.FLOAT32, new long[] {10}, new long[] {-4}, 32, false));
            assertTrue(e.getMessage().contains("[-4, 36)") && e.getMessage().contains("40 bytes"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> NDArray.wrap(a.buffer(), DType.FLOAT32, new long[] {3, 4}, new long[] {16, 4}, 0, false));
            assertEquals(2, a.buffer().refCount(), "a failed wrap leaves no count behind");
        }
    }

    @Test
    void elementAccessAndCopiesRoundTrip() {
        try (NDArray a = NDArray.of(new double[] {1.5, -2.5, 3, 4}, 2, 2);
                NDArray b = NDArray.of(new boolean[] {true, false});
                NDArray c = NDArray.of(new long[] {Long.MAX_VALUE, -1});
                NDArray u = c.astype(DType.UINT64)) {
            assertEquals(-2.5, a.getDouble(0, -1));
            assertEquals(-2, a.getLong(0, 1));
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> a.getDouble(2, 0));
            assertTrue(e.getMessage().contains("axis 0") && e.getMessage().contains("size 2"), e.getMessage());
            try (NDArray t = a.transpose()) {
                assertArrayEquals(new double[] {1.5, 3, -2.5, 4}, t.toDoubleArray());
            }
            assertArrayEquals(new boolean[] {true, false}, b.toBooleanArray());
            assertEquals(-1L, u.getLong(1));
            assertEquals(18446744073709551615.0, u.getDouble(1));
            assertThrows(IllegalArgumentException.class, a::toFloatArray);
            try (NDArray s = NDArray.scalar(DType.COMPLEX64, 2.0)) {
                assertEquals(0, s.ndim());
                assertEquals(2.0, s.getDouble());
                assertEquals(0.0, s.getImag());
            }
        }
    }

    @Test
    void largeContiguousOpsUseTheParallelPathCorrectly() {
        long n = (1L << 22) + 17;
        try (NDArray a = NDArrays.arange(0.0, n, 1.0, DType.FLOAT32); NDArray b = a.mul(2.0); NDArray c = a.add(b);
                NDArray h = c.astype(DType.FLOAT16); NDArray back = h.astype(DType.FLOAT32);
                NDArray nchw = a.reshape(1, 1, n); NDArray norm = nchw.normalize(new float[] {1f}, new float[] {2f}, 1)) {
            assertEquals(3.0 * (n - 1), c.getDouble(n - 1));
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(3f * 1000)), back.getDouble(1000));
            assertEquals((5f - 1f) / 2f, (float) norm.getDouble(0, 0, 5));
        }
    }
}
