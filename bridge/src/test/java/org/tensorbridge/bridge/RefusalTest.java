package org.tensorbridge.bridge;

import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.testkit.ScopePerTest;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.tensorbridge.bridge.BridgeTestSupport.assertRefused;
import static org.tensorbridge.bridge.BridgeTestSupport.firstElementAddress;
import static org.tensorbridge.bridge.BridgeTestSupport.values;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorbridge.ndarray.Index;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.ndarray.io.MmapMode;
import org.tensorbridge.ndarray.io.NpyFile;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Layout;
import org.tensorbridge.torch.Op;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.TorchException;
import org.tensorbridge.torch.internal.Deleters;

/**
 * Every refusal fires with a message that says what is wrong and how to fix it, retains nothing, and
 * {@link Bridge#toArrayForce} handles what {@link Bridge#toArray} refuses.
 */
@ExtendWith(ScopePerTest.class)
class RefusalTest {

    // ------------------------------------------------------------------ NDArray -> Tensor

    /** Refused calls must not retain the buffer nor leave a deleter registered. */
    private static void assertRefusedCleanly(NDArray array, Class<? extends Throwable> type, String... fragments) {
        int pending = Deleters.pending();
        int count = array.buffer().isAlive() ? array.buffer().refCount() : 0;
        assertRefused(type, () -> Bridge.fromArray(array).close(), fragments);
        assertEquals(pending, Deleters.pending(), "a refused fromArray leaves no deleter pending");
        assertEquals(count, array.buffer().isAlive() ? array.buffer().refCount() : 0, "a refused fromArray retains nothing");
    }

    @Test
    void negativeStridesAreRefused() {
        try (NDArray a = NDArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
            assertRefusedCleanly(a.get(Index.slice(null, null, -1L)), BridgeException.class, "negative stride", "axis 0",
                    "copy()", "copyFromArray");
            assertRefusedCleanly(a.get(Index.all(), Index.slice(null, null, -2L)), BridgeException.class, "negative stride",
                    "axis 1");
        }
    }

    @Test
    void stridesThatAreNotWholeElementsAreRefused() {
        try (NDArray a = NDArray.zeros(DType.FLOAT32, 8)) {
            NDArray odd = NDArray.wrap(a.buffer(), DType.FLOAT32, new long[] {3}, new long[] {6}, 0, false);
            assertRefusedCleanly(odd, BridgeException.class, "6 bytes", "whole number", "copy()");
        }
    }

    @Test
    void readOnlyArraysAreRefused(@TempDir Path dir) throws Exception {
        try (NDArray a = NDArray.of(new float[] {1, 2, 3})) {
            assertRefusedCleanly(a.asReadOnly(), BridgeException.class, "read-only", "copyFromArray", "copy-on-write");
            // NumPy's broadcast_to is read-only; the writable PyTorch-style expand shares (ViewLayoutCrossCheckTest)
            assertRefusedCleanly(a.broadcastTo(4, 3), BridgeException.class, "read-only", "copyFromArray");
        }
        Path file = dir.resolve("ro.npy");
        try (NDArray a = NDArray.of(new double[] {1, 2, 3})) {
            NpyFile.write(file, a);
        }
        try (NDArray mapped = NpyFile.mmap(file, MmapMode.READ_ONLY)) {
            assertTrue(mapped.isReadOnly());
            assertRefusedCleanly(mapped, BridgeException.class, "read-only", "mmap", "copy-on-write");
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(16).asReadOnlyBuffer();
        assertRefusedCleanly(NDArray.wrap(direct, DType.INT32, 4), BridgeException.class, "read-only");
    }

    @Test
    void closedArraysThrowIllegalState() {
        NDArray a = NDArray.of(new float[] {1, 2, 3, 4}, 2, 2);
        NDArray view = a.transpose();
        a.close();
        assertRefused(IllegalStateException.class, () -> Bridge.fromArray(a), "was closed", "copy()");
        int pending = Deleters.pending();
        assertRefused(IllegalStateException.class, () -> Bridge.copyFromArray(a), "was closed");
        assertEquals(pending, Deleters.pending());
        try (Tensor shared = Bridge.fromArray(view)) {  // a view taken before the close keeps the memory
            assertEquals(3.0, shared.getDouble(0, 1));
        }
        view.close();
        assertRefused(IllegalStateException.class, () -> Bridge.fromArray(view), "was closed");
    }

    /**
     * Heap memory (NDArray.wrap over MemorySegment.ofArray) cannot be handed to libtorch. BUG: today the FFM
     * linker throws "Heap segment not allowed" after Bridge retained the buffer and Tensor.wrap registered
     * the deleter, so both leak (refCount stays 2, Deleters.pending() stays +1).
     */
    @Test
    void heapMemoryIsRefusedWithoutLeaking() {
        float[] heap = {1, 2, 3, 4};
        NDArray onHeap = NDArray.wrap(MemorySegment.ofArray(heap), DType.FLOAT32, 4);
        int pending = Deleters.pending();
        RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> Bridge.fromArray(onHeap));
        assertEquals(pending, Deleters.pending(), "a refused fromArray leaves no deleter pending (" + e + ")");
        assertEquals(1, onHeap.buffer().refCount(), "a refused fromArray retains nothing (" + e + ")");
        assertRefusedCleanly(onHeap, BridgeException.class, "heap", "copyFrom");
    }

    // ------------------------------------------------------------------ Tensor -> NDArray

    @Test
    void closedTensorsThrowIllegalState() {
        Tensor t = Tensor.ones(3);
        t.close();
        assertRefused(IllegalStateException.class, () -> Bridge.toArray(t), "closed");
        assertRefused(IllegalStateException.class, () -> Bridge.toArrayForce(t), "closed");
    }

    @Test
    void tensorsThatRequireGradAreRefusedAndForceDetaches() {
        try (Tensor leaf = Tensor.arange(0, 4, 1, TensorOptions.DEFAULT).requiresGrad(true); Tensor result = leaf.mul(2.0)) {
            assertRefused(BridgeException.class, () -> Bridge.toArray(leaf), "requires grad", "detach()", "toArrayForce");
            assertRefused(BridgeException.class, () -> Bridge.toArray(result), "requires grad", "detach()");
            try (NDArray forced = Bridge.toArrayForce(leaf)) {
                assertArrayEquals(new double[] {0, 1, 2, 3}, values(forced));
                assertEquals(leaf.dataAddress(), firstElementAddress(forced), "force detaches: still shared, no copy");
            }
            try (Tensor detached = leaf.detach(); NDArray shared = Bridge.toArray(detached)) {
                assertEquals(leaf.dataAddress(), firstElementAddress(shared));
            }
            assertTrue(leaf.requiresGrad(), "the original keeps requires_grad");
        }
    }

    @Test
    void cudaTensorsAreRefusedAndForceCopies() {
        assumeTrue(org.tensorbridge.torch.Torch.cudaAvailable(), "no CUDA device");
        try (Tensor t = Tensor.ones(TensorOptions.on(Device.cuda(0)), 3)) {
            assertRefused(BridgeException.class, () -> Bridge.toArray(t), "cuda", "to(Device.CPU)", "toArrayForce");
            try (NDArray forced = Bridge.toArrayForce(t)) {
                assertArrayEquals(new double[] {1, 1, 1}, values(forced));
            }
        }
    }

    /** No CUDA here: the META device (no data at all) exercises the non-CPU refusal instead. */
    @Test
    void metaTensorsAreRefused() {
        Tensor meta;
        try {
            meta = Tensor.empty(TensorOptions.on(Device.META), 2);
        } catch (RuntimeException e) {
            assumeTrue(false, "this libtorch cannot make meta tensors: " + e.getMessage());
            return;
        }
        try (meta) {
            assertEquals(Device.META, meta.device());
            assertRefused(BridgeException.class, () -> Bridge.toArray(meta), "meta", "to(Device.CPU)", "toArrayForce");
            // A meta tensor has no data, so even force cannot produce values; the refusal says so.
            assertRefused(BridgeException.class, () -> Bridge.toArrayForce(meta), "meta", "no data");
        }
    }

    @Test
    void sparseTensorsAreRefusedAndForceDensifies() {
        try (Tensor dense = Tensor.arange(0, 6, 1, TensorOptions.DEFAULT); Tensor shaped = dense.view(2, 3);
             Tensor sparse = Op.callTensor("aten::to_sparse", shaped)) {
            assertEquals(Layout.SPARSE, sparse.layout());
            assertRefused(BridgeException.class, () -> Bridge.toArray(sparse), "layout", "strided", "to_dense", "toArrayForce");
            try (NDArray forced = Bridge.toArrayForce(sparse)) {
                assertArrayEquals(new long[] {2, 3}, forced.shape());
                assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, values(forced));
            }
        }
    }

    @Test
    void conjugateBitIsRefusedAndForceResolves() {
        try (Tensor re = Tensor.arange(0, 3, 1, TensorOptions.DEFAULT); Tensor im = re.add(1.0);
             Tensor c = Op.callTensor("aten::complex", re, im); Tensor conj = Op.callTensor("aten::conj", c)) {
            assertTrue(conj.isConj(), "aten::conj sets the lazy conjugate bit in libtorch 1.13+");
            assertRefused(BridgeException.class, () -> Bridge.toArray(conj), "conjugate", "resolve_conj", "toArrayForce");
            try (NDArray forced = Bridge.toArrayForce(conj)) {
                assertEquals(DType.COMPLEX64, forced.dtype());
                for (int i = 0; i < 3; i++) {
                    assertEquals(i, forced.getDouble(i));
                    assertEquals(-(i + 1), forced.getImag(i), "conjugated");
                }
                assertTrue(firstElementAddress(forced) != c.dataAddress(), "resolving the bit materialises a copy");
            }
            assertArrayEquals(new double[] {0, 1, 1, 2, 2, 3}, values(c), "the original is untouched");
        }
    }

    @Test
    void negativeBitIsRefusedAndForceResolves() {
        Tensor neg;
        try (Tensor t = Tensor.arange(0, 3, 1, TensorOptions.DEFAULT)) {
            try {
                neg = Op.callTensor("aten::_neg_view", t);
            } catch (TorchException e) {
                assumeTrue(false, "no aten::_neg_view: " + e.getMessage());
                return;
            }
            try (neg) {
                assertTrue(neg.isNeg());
                assertFalse(neg.isConj());
                assertRefused(BridgeException.class, () -> Bridge.toArray(neg), "negative", "resolve_neg", "toArrayForce");
                try (NDArray forced = Bridge.toArrayForce(neg)) {
                    assertArrayEquals(new double[] {-0.0, -1, -2}, values(forced));
                }
                assertArrayEquals(new double[] {0, 1, 2}, values(t));
            }
        }
    }

    @Test
    void everythingAtOnceIsForced() {
        // requires grad + conjugate bit + non-contiguous view, all in one
        try (Tensor re = Tensor.arange(0, 6, 1, TensorOptions.DEFAULT); Tensor im = re.neg();
             Tensor c = Op.callTensor("aten::complex", re, im)) {
            c.requiresGrad(true);
            try (Tensor shaped = c.view(2, 3); Tensor transposed = shaped.t(); Tensor conj = Op.callTensor("aten::conj", transposed)) {
                assertTrue(conj.isConj() && conj.requiresGrad());
                assertRefused(BridgeException.class, () -> Bridge.toArray(conj), "requires grad");
                try (NDArray forced = Bridge.toArrayForce(conj)) {
                    assertArrayEquals(new long[] {3, 2}, forced.shape());
                    assertEquals(3.0, forced.getDouble(0, 1));
                    assertEquals(3.0, forced.getImag(0, 1), "conj of 3-3j");
                }
            }
        }
    }

    @Test
    void dtypesNumpyLacksAreRefused() {
        try (Tensor c32 = Tensor.zeros(TensorOptions.of(DType.COMPLEX32), 2)) {
            assertRefused(BridgeException.class, () -> Bridge.toArray(c32), "complex32", "no NDArray counterpart", "convert");
        }
    }

    /**
     * BUG: toArrayForce converts complex32 (ComplexHalf) to float32 and so drops the imaginary part; the
     * lossless choice is complex64.
     */
    @Test
    void forceKeepsTheImaginaryPartOfComplex32() {
        try (Tensor re = Tensor.ones(2); Tensor im = re.mul(2.0); Tensor c64 = Op.callTensor("aten::complex", re, im);
             Tensor c32 = c64.to(DType.COMPLEX32); NDArray forced = Bridge.toArrayForce(c32)) {
            assertEquals(DType.COMPLEX64, forced.dtype(), "complex32 must widen to complex64, not float32");
            assertEquals(2.0, forced.getImag(1));
        }
    }

    @Test
    void forceOnAPlainCpuTensorStillShares() {
        try (Tensor t = Tensor.arange(0, 4, 1, TensorOptions.DEFAULT); NDArray forced = Bridge.toArrayForce(t)) {
            assertEquals(t.dataAddress(), firstElementAddress(forced));
            forced.setDouble(42, 1);
            assertEquals(42.0, values(t)[1]);
        }
    }
}
