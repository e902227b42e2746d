package org.tensorbridge.torch;

import org.tensorbridge.core.DType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Devices, dtypes and process facts; what CUDA calls do where there is no CUDA (as on this CPU machine). */
class DeviceTest {

    @AfterEach
    void libraryStillWorks() {
        try (Tensor a = Tensor.ones(4); Tensor s = a.sum()) {
            assertEquals(4.0, s.item());
        }
    }

    private static void assumeNoCuda() {
        Assumptions.assumeFalse(Torch.cudaAvailable(), "CUDA is available here; see CudaTest");
    }

    @Test
    void bestDeviceIsCpuWithoutCuda() {
        assumeNoCuda();
        assertEquals(Device.CPU, Device.best());
        assertTrue(Torch.cudaDevices().isEmpty());
        assertEquals(0, Torch.cudaDeviceCount());
        assertEquals(-1, Torch.cudnnVersion());
    }

    @Test
    void cudaTensorWithoutCudaThrows() {
        assumeNoCuda();
        TorchException e = assertThrows(TorchException.class, () -> Tensor.zeros(TensorOptions.on(Device.cuda(0)), 2));
        assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("cuda"), e.getMessage());
        try (Tensor x = Tensor.ones(2)) {
            TorchException move = assertThrows(TorchException.class, () -> x.to(Device.cuda(0)));
            assertTrue(move.getMessage().toLowerCase(Locale.ROOT).contains("cuda"), move.getMessage());
        }
    }

    /**
     * The brief: the exception must EXPLAIN that CUDA is unavailable. libtorch 1.13 answers "Could not run
     * 'aten::empty.memory_format' with arguments from the 'CUDA' backend..." followed by ~4 KB of dispatcher
     * registrations — it never says that no CUDA device / no CUDA build is present.
     */
    @Test
    void cudaTensorWithoutCudaExplainsWhy() {
        assumeNoCuda();
        TorchException e = assertThrows(TorchException.class, () -> Tensor.zeros(TensorOptions.on(Device.cuda(0)), 2));
        String message = e.getMessage();
        boolean explains = e instanceof CudaUnavailableException
                || message.contains("not available") || message.contains("unavailable") || message.contains("without CUDA");
        assertTrue(explains, "should say that CUDA is unavailable (and be short), got "
                + e.getClass().getSimpleName() + " of " + message.length() + " chars: "
                + message.substring(0, Math.min(300, message.length())));
        assertTrue(message.length() < 1500, "message is " + message.length() + " chars long");
    }

    /** Torch.cudaSynchronize's documentation promises CudaUnavailableException without CUDA. */
    @Test
    void cudaSynchronizeWithoutCudaThrowsCudaUnavailable() {
        assumeNoCuda();
        TorchException e = assertThrows(TorchException.class, () -> Torch.cudaSynchronize(0));
        assertTrue(e.getMessage().contains("CUDA"), e.getMessage());
        assertInstanceOf(CudaUnavailableException.class, e, "got " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    @Test
    void autocastOnCudaWithoutCudaLeavesCpuAlone() {
        try (Tensor a = Tensor.ones(2, 2); Autocast amp = Autocast.enable(DeviceType.CUDA, DType.FLOAT16);
             Tensor c = a.mm(a)) {
            assertEquals(DType.FLOAT32, c.dtype());
        }
    }

    @Test
    void deviceParsingAndNames() {
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertEquals(Device.cuda(1), Device.parse(" CUDA:1 "));
        assertEquals(new Device(DeviceType.CUDA, -1), Device.parse("cuda"));
        assertEquals(Device.META, Device.parse("meta"));
        assertEquals("cuda:0", Device.cuda(0).toString());
        assertEquals("cpu", Device.CPU.toString());
        assertTrue(Device.cuda(0).isCuda());
        assertFalse(Device.cuda(0).isCpu());
    }

    @Test
    void metaTensorsHaveShapeButNoData() {
        try (Tensor m = Tensor.zeros(TensorOptions.on(Device.META), 3, 4); Tensor mt = m.t(); Tensor n = m.mm(mt)) {
            assertEquals(DeviceType.META, m.device().type());
            assertArrayEquals(new long[] {3, 3}, n.shape());
            assertEquals(0, m.dataAddress());
            TorchException e = assertThrows(TorchException.class, m::toDoubleArray);
            assertTrue(e.getMessage().contains("meta"), e.getMessage());
        }
    }

    @Test
    void dtypeFactsMatchCreatedTensors() {
        for (DType dtype : DType.values()) {
            if (!Torch.supports(dtype) || dtype == DType.COMPLEX32) {
                continue;
            }
            try (Tensor t = Tensor.zeros(TensorOptions.of(dtype), 2)) {
                assertEquals(dtype, t.dtype(), dtype.torchName());
                assertEquals(dtype.byteSize(), t.elementSize(), dtype.torchName());
            }
        }
        assertTrue(DType.BFLOAT16.isFloatingPoint());
        assertFalse(DType.INT64.isFloatingPoint());
        assertTrue(DType.COMPLEX64.isComplex());
        assertEquals("bfloat16", DType.BFLOAT16.torchName());
    }

    @Test
    void processFacts() {
        assertTrue(Torch.version().matches("\\d+\\.\\d+\\.\\d+.*"), Torch.version());
        assertTrue(Files.isRegularFile(Torch.shimPath()), Torch.shimPath().toString());
        assertFalse(Torch.buildInfo().isEmpty(), "build info recorded by build.sh");
        assertEquals(TensorOptions.DEFAULT, TensorOptions.of(DType.FLOAT32));
        assertEquals(DType.FLOAT64, TensorOptions.on(Device.CPU).dtype(DType.FLOAT64).dtype());
    }
}
