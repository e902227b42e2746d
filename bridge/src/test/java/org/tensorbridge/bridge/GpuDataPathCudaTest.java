package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.CudaEvent;
import org.tensorbridge.torch.CudaMemory;
import org.tensorbridge.torch.CudaStream;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;
import org.tensorbridge.torch.TorchOutOfMemoryException;

/** The GPU data path on a real GPU; skipped where no CUDA device is usable. */
@Tag("cuda")
class GpuDataPathCudaTest {
    private static final Device CUDA = Device.cuda(0);

    @BeforeAll
    static void needsCuda() {
        Assumptions.assumeTrue(Torch.cudaAvailable() && Torch.builtWithCuda(), "no usable CUDA device (see tensorbridge doctor)");
    }

    private static NDArray ramp(NDArray array) {
        for (long i = 0; i < array.size(); i++) {
            array.setDouble(i * 0.5 - 7, i);
        }
        return array;
    }

    @Test
    void valuesSurviveTheRoundTripThroughPinnedAndPageableArrays() {
        try (CudaStream stream = CudaStream.create(0);
             NDArray pinned = ramp(PinnedMemory.allocate(DType.FLOAT32, 4096));
             NDArray pageable = ramp(NDArray.zeros(DType.FLOAT32, 4096))) {
            for (NDArray host : new NDArray[] {pinned, pageable}) {
                try (DeviceCopies.Transfer up = DeviceCopies.toDevice(host, CUDA, stream);
                     DeviceCopies.PendingArray down = DeviceCopies.toHost(up.tensor(), stream);
                     NDArray back = down.await()) {
                    assertEquals(CUDA.type(), up.tensor().device().type());
                    assertArrayEquals(host.toFloatArray(), back.toFloatArray());
                }
            }
        }
    }

    @Test
    void copiesOnOneStreamAreOrderedForAnotherByAnEvent() {
        try (CudaStream copies = CudaStream.create(0); CudaStream compute = CudaStream.create(0);
             NDArray host = ramp(PinnedMemory.allocate(DType.FLOAT32, 1 << 20));
             DeviceCopies.Transfer up = DeviceCopies.toDevice(host, CUDA, copies)) {
            compute.waitFor(up.copied());
            Tensor doubled;
            try (CudaStream.Scope scope = compute.makeCurrent()) {
                doubled = up.tensor().mul(2.0);
            }
            try (doubled; DeviceCopies.PendingArray pending = DeviceCopies.toHost(doubled, compute);
                 NDArray result = pending.await(); NDArray expected = host.mul(2.0)) {
                assertArrayEquals(expected.toFloatArray(), result.toFloatArray());
            }
        }
    }

    @Test
    void timingEventsMeasureACopy() {
        try (CudaStream stream = CudaStream.create(0); CudaEvent start = CudaEvent.createTiming();
             CudaEvent end = CudaEvent.createTiming(); NDArray host = PinnedMemory.allocate(DType.FLOAT32, 1 << 22)) {
            start.record(stream);
            try (DeviceCopies.Transfer up = DeviceCopies.toDevice(host, CUDA, stream)) {
                end.record(stream);
                end.synchronize();
                assertTrue(start.elapsedMillis(end) > 0);
                assertTrue(end.isDone());
            }
        }
    }

    @Test
    void outOfMemoryIsAnExceptionWithStatisticsAndTheProgramGoesOn() {
        CudaMemory.Stats before = CudaMemory.stats(0);
        TorchOutOfMemoryException oom = assertThrows(TorchOutOfMemoryException.class,
                () -> Tensor.empty(TensorOptions.on(CUDA), 1L << 44));
        assertTrue(oom.getMessage().contains("allocator"), oom.getMessage());
        assertEquals(1, oom.memoryStats().size());
        CudaMemory.emptyCache();
        try (Tensor ok = Tensor.ones(TensorOptions.on(CUDA), 1 << 20); Tensor sum = ok.sum()) {
            assertEquals(1 << 20, sum.item());
            assertTrue(CudaMemory.stats(0).allocated() >= before.allocated() + (4L << 20));
        }
    }

    @Test
    void pinningAnExistingArrayCopiesIt() {
        try (NDArray pageable = ramp(NDArray.zeros(DType.FLOAT64, 100)); NDArray pinned = PinnedMemory.pin(pageable)) {
            assertArrayEquals(pageable.toDoubleArray(), pinned.toDoubleArray());
        }
    }
}
