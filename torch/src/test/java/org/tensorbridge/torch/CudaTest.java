package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

/** Needs a CUDA device and a CUDA libtorch: skips itself elsewhere (and can be excluded with the "cuda" tag). */
@Tag("cuda")
class CudaTest {
    private static final Device GPU = Device.cuda(0);

    @BeforeEach
    void requireCuda() {
        Assumptions.assumeTrue(Torch.cudaAvailable(), "no usable CUDA device (libtorch " + Torch.version() + ")");
    }

    @Test
    void matmulOnCudaMatchesCpu() {
        Torch.manualSeed(7);
        try (Tensor a = Tensor.randn(256, 256); Tensor b = Tensor.randn(256, 256);
             Tensor ga = a.to(GPU); Tensor gb = b.to(GPU); Tensor gc = ga.matmul(gb);
             Tensor back = gc.to(Device.CPU); Tensor c = a.matmul(b)) {
            assertTrue(gc.device().isCuda());
            assertEquals(0, gc.device().index());
            // TF32 may be on for CUDA matmuls; allow for its 10-bit mantissa on sums of 256 products.
            assertTrue(back.allclose(c, 1e-2, 1e-2), "cuda matmul differs from the CPU result");
        }
    }

    @Test
    void roundTripToCudaAndBackKeepsValues() {
        try (Tensor x = Tensor.arange(0, 1000, 1, TensorOptions.of(DType.FLOAT64)); Tensor g = x.to(GPU);
             Tensor back = g.to(Device.CPU)) {
            assertTrue(g.device().isCuda());
            assertTrue(back.device().isCpu());
            assertTrue(x.equal(back));
        }
        try (Tensor z = Tensor.zeros(TensorOptions.on(GPU).dtype(DType.INT32), 3, 3)) {
            assertEquals(DType.INT32, z.dtype());
            assertEquals(0.0, z.toDoubleArray()[8]);
        }
        Torch.cudaSynchronize(0);
    }

    @Test
    void bestDeviceAndDeviceInfo() {
        assertTrue(Device.best().isCuda());
        List<Torch.CudaDeviceInfo> devices = Torch.cudaDevices();
        assertFalse(devices.isEmpty());
        assertEquals(Torch.cudaDeviceCount(), devices.size());
        for (Torch.CudaDeviceInfo d : devices) {
            assertFalse(d.name().isBlank());
            assertTrue(d.totalMemory() > 0, d.toString());
            assertTrue(d.major() > 0, d.computeCapability());
        }
    }

    @Test
    void autocastOnCudaGivesFloat16() {
        try (Tensor a = Tensor.ones(TensorOptions.on(GPU), 64, 64)) {
            try (Autocast amp = Autocast.enable(DeviceType.CUDA, DType.FLOAT16); Tensor c = a.mm(a)) {
                assertEquals(DType.FLOAT16, c.dtype());
                try (Tensor s = c.select(0, 0).select(0, 0)) {
                    assertEquals(64.0, s.item());
                }
            }
            try (Tensor c = a.mm(a)) {
                assertEquals(DType.FLOAT32, c.dtype());
            }
        }
    }

    @Test
    void cudaErrorsAreRecoverable() {
        try (Tensor a = Tensor.ones(TensorOptions.on(GPU), 2, 3)) {
            assertThrowsTorch(() -> a.mm(a));
            try (Tensor cpu = Tensor.ones(3, 2)) {
                assertThrowsTorch(() -> a.mm(cpu));  // device mismatch
            }
            try (Tensor t = a.t(); Tensor ok = a.mm(t); Tensor s = ok.sum()) {
                assertEquals(12.0, s.item());
            }
        }
    }

    private static void assertThrowsTorch(Runnable r) {
        TorchException e = org.junit.jupiter.api.Assertions.assertThrows(TorchException.class, r::run);
        assertFalse(e.getMessage().isBlank());
    }
}
