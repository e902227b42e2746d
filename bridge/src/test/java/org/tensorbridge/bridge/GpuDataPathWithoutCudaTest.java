package org.tensorbridge.bridge;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.CudaEvent;
import org.tensorbridge.torch.CudaMemory;
import org.tensorbridge.torch.CudaStream;
import org.tensorbridge.torch.CudaUnavailableException;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.Torch;

/** Without CUDA everything still runs on the CPU, and CUDA-only calls say why they cannot. */
class GpuDataPathWithoutCudaTest {
    @BeforeAll
    static void onlyWithoutCuda() {
        Assumptions.assumeFalse(Torch.cudaAvailable(), "this machine has CUDA: GpuDataPathCudaTest covers it");
    }

    @Test
    void cudaOnlyCallsExplainThatNoDeviceIsUsable() {
        for (var call : new org.junit.jupiter.api.function.Executable[] {
                () -> PinnedMemory.allocate(DType.FLOAT32, 16), () -> CudaStream.create(0), CudaEvent::create,
                () -> CudaMemory.stats(0)}) {
            CudaUnavailableException e = assertThrows(CudaUnavailableException.class, call);
            assertTrue(e.getMessage().contains("CUDA") && e.getMessage().contains("tensorbridge doctor"), e.getMessage());
        }
        assertTrue(CudaMemory.allStats().isEmpty());
        CudaMemory.emptyCache();  // a no-op without CUDA, as torch.cuda.empty_cache() is
    }

    @Test
    void theCpuFallbackRunsThePipeline() {
        Device device = Device.best();
        assertEquals(Device.CPU, device);
        try (NDArray batch = NDArray.full(DType.FLOAT32, 2, 8, 4);
             Tensor shared = Bridge.fromArray(batch);
             Tensor moved = shared.to(device, true);
             Tensor sum = moved.sum()) {
            assertEquals(64.0, sum.item());
        }
    }
}
