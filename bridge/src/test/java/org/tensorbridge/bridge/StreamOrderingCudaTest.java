package org.tensorbridge.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorbridge.core.DType;
import org.tensorbridge.core.Scope;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.testkit.ScopePerTest;
import org.tensorbridge.torch.CudaStream;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;
import org.tensorbridge.torch.Torch;
import org.tensorbridge.torch.TorchOutOfMemoryException;

/**
 * PyTorch's stream rules, each in a situation that corrupts data or reads too early without them: copies wait
 * for the work that produced their input, memory used by another stream is not reused under it, pinned views
 * stay tracked, a non-blocking download completes before it is read. Skipped where no CUDA device is usable.
 */
@Tag("cuda")
@ExtendWith(ScopePerTest.class)
class StreamOrderingCudaTest {
    private static final Device CUDA = Device.cuda(0);

    @BeforeAll
    static void needsCuda() {
        Assumptions.assumeTrue(Torch.cudaAvailable() && Torch.builtWithCuda(), "no usable CUDA device (see tensorbridge doctor)");
    }

    // A tensor written by a long kernel queued on the current (default) stream: it is complete only later.
    private static Tensor slowlyComputed(double value, long n) {
        Tensor square = Tensor.randn(TensorOptions.on(CUDA), 4096, 4096);
        Tensor busy = square.matmul(square).matmul(square).sum();  // keeps the default stream busy
        return Tensor.zeros(TensorOptions.on(CUDA), n).add(busy.mul(0.0)).add(value);
    }

    @Test
    void aDownloadWaitsForTheKernelThatWroteItsTensorAndSurvivesItsClose() {
        CudaStream copies = CudaStream.create(0);
        for (int round = 0; round < 10; round++) {
            Tensor source = slowlyComputed(round, 1 << 22);
            DeviceCopies.PendingArray pending = DeviceCopies.toHost(source, copies);
            source.close();  // its block must not be handed out while the copy reads it
            Tensor.full(TensorOptions.on(CUDA), -1, 1 << 22);  // would take that block
            try (NDArray result = pending.await()) {
                float[] values = result.toFloatArray();
                assertEquals(round, values[0]);
                assertEquals(round, values[values.length - 1]);
            }
        }
    }

    @Test
    void aDoubleBufferedUploadLoopKeepsEveryBlockUntilTheComputeStreamIsDone() {
        CudaStream copies = CudaStream.create(0);
        CudaStream compute = CudaStream.create(0);
        NDArray[] slots = {PinnedMemory.allocate(DType.FLOAT32, 1 << 22), PinnedMemory.allocate(DType.FLOAT32, 1 << 22)};
        List<Tensor> sums = new ArrayList<>();
        for (int step = 0; step < 16; step++) {
            NDArray slot = slots[step % 2];
            slot.fill(step);  // safe: the upload that last read this slot finished (awaitHostReusable below)
            try (DeviceCopies.Transfer upload = DeviceCopies.toDevice(slot, CUDA, copies);
                 CudaStream.Scope onCompute = compute.makeCurrent()) {
                Tensor x = upload.tensor();  // the compute stream waits for the copy
                sums.add(x.mul(x).sqrt().sum());
                upload.awaitHostReusable();
            }  // closes the device tensor while compute may still run: record-stream keeps its block
        }
        compute.synchronize();
        for (int step = 0; step < sums.size(); step++) {
            assertEquals((double) step * (1 << 22), sums.get(step).item(), 1e-3 * (1 << 22), "step " + step);
        }
    }

    @Test
    void aStreamOfAnotherDeviceIsRefusedAndDeviceOneWorks() {
        CudaStream zero = CudaStream.create(0);
        Assumptions.assumeTrue(Torch.cudaDeviceCount() >= 2, "one GPU: the two-device case needs two");
        CudaStream one = CudaStream.create(1);
        NDArray host = PinnedMemory.allocate(DType.FLOAT32, 1024).fill(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DeviceCopies.toDevice(host, Device.cuda(1), zero));
        assertTrue(e.getMessage().contains("CudaStream.create(1)"), e.getMessage());
        try (DeviceCopies.Transfer up = DeviceCopies.toDevice(host, Device.cuda(1), one);
             DeviceCopies.PendingArray down = DeviceCopies.toHost(up.tensor(), one); NDArray back = down.await()) {
            assertEquals(1, up.tensor().device().index());
            assertArrayEquals(host.toFloatArray(), back.toFloatArray());
        }
    }

    @Test
    void aPinnedBatchRowCopiedThenClosedIsNotReallocatedUnderTheCopy() {
        long rows = 16;
        long row = 1 << 22;
        for (int round = 0; round < 5; round++) {
            try (Scope scope = Scope.open()) {
                NDArray batch = PinnedMemory.allocate(DType.FLOAT32, rows, row).fill(round + 1);
                Tensor onDevice;
                try (Scope copying = Scope.open()) {
                    Tensor rowView = Bridge.fromArray(batch.select(0, 7));  // a view of the pinned storage
                    onDevice = copying.keep(rowView.to(CUDA, true));
                }
                batch.close();
                PinnedMemory.allocate(DType.FLOAT32, rows, row).fill(-1);  // must not reuse the block yet
                assertEquals((double) (round + 1) * row, onDevice.sum().item(), 1e-3 * row);
            }
        }
    }

    @Test
    void aNonBlockingDownloadIsCompleteWhenItReturns() {
        for (int round = 0; round < 5; round++) {
            Tensor source = slowlyComputed(round + 0.5, 1 << 22);
            Tensor host = source.to(Device.CPU, true);
            try (NDArray values = Bridge.toArray(host)) {
                assertEquals(round + 0.5, values.getDouble((1 << 22) - 1), 1e-6);
            }
        }
    }

    @Test
    void hostOutOfMemoryBeforeAnyCudaUseIsTorchOutOfMemory() throws Exception {
        // A fresh JVM: no CUDA call before the failing host allocation (statistics must not throw then).
        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                HostOom.class.getName()).redirectErrorStream(true);
        Process process = child.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("TorchOutOfMemoryException"), output);
    }

    /** The child JVM of {@link #hostOutOfMemoryBeforeAnyCudaUseIsTorchOutOfMemory}. */
    public static final class HostOom {
        public static void main(String[] args) {
            try {
                Tensor.empty(1L << 46).close();
                System.out.println("allocated 256 TiB?");
                System.exit(1);
            } catch (TorchOutOfMemoryException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
