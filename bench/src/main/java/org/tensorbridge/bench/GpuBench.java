package org.tensorbridge.bench;

import org.tensorbridge.core.DType;

import org.tensorbridge.bridge.Bridge;
import org.tensorbridge.bridge.DeviceCopies;
import org.tensorbridge.bridge.PinnedMemory;
import org.tensorbridge.ndarray.NDArray;
import org.tensorbridge.torch.CudaStream;
import org.tensorbridge.torch.Device;
import org.tensorbridge.torch.Tensor;
import org.tensorbridge.torch.TensorOptions;

/**
 * The GPU data path: host->device and device->host copies from pinned and pageable arrays (1 MB, 16 MB,
 * 256 MB, 1 GB), {@link DeviceCopies} on a pool stream with its events both ways, and the seed's pipeline
 * (prepare in Java -> share -> to CUDA) for a 32 MB batch. bench/gpu_bench.py measures PyTorch's
 * {@code copy_(non_blocking=True)} and a side-stream upload/download for the same cases; bench/gpu.sh runs both.
 */
public final class GpuBench {
    private static final long MB = 1 << 20;

    private GpuBench() {
    }

    public static void main(String[] args) throws Exception {
        long maxBytes = args.length > 0 ? Long.parseLong(args[0]) * MB : 1024 * MB;
        Device cuda = Device.cuda(0);
        try (CudaStream stream = CudaStream.current(0); CudaStream pool = CudaStream.create(0)) {
            for (long bytes : new long[] {MB, 16 * MB, 256 * MB, 1024 * MB}) {
                if (bytes > maxBytes) {
                    break;
                }
                String size = bytes >= 1024 * MB ? (bytes / (1024 * MB)) + "GB" : (bytes / MB) + "MB";
                int reps = (int) Math.max(3, Math.min(100, (256 * MB) / bytes));
                long elements = bytes / 4;
                try (NDArray pinned = PinnedMemory.allocate(DType.FLOAT32, elements);
                     NDArray pageable = NDArray.zeros(DType.FLOAT32, elements);
                     Tensor pinnedHost = Bridge.fromArray(pinned.fill(1));
                     Tensor pageableHost = Bridge.fromArray(pageable.fill(1));
                     Tensor device = Tensor.empty(TensorOptions.of(DType.FLOAT32).device(cuda), elements)) {
                    copy("h2d_pinned_" + size, bytes, reps, device, pinnedHost, stream);
                    copy("h2d_pageable_" + size, bytes, reps, device, pageableHost, stream);
                    copy("d2h_pinned_" + size, bytes, reps, pinnedHost, device, stream);
                    copy("d2h_pageable_" + size, bytes, reps, pageableHost, device, stream);
                    Device target = cuda;
                    Timer.report("h2d_devicecopies_pool_" + size, Timer.medianSeconds(5, reps, () -> {
                        try (DeviceCopies.Transfer upload = DeviceCopies.toDevice(pinned, target, pool)) {
                            upload.copied().synchronize();
                        }
                    }));
                    Timer.report("d2h_devicecopies_pool_" + size, Timer.medianSeconds(5, reps, () -> {
                        try (DeviceCopies.PendingArray download = DeviceCopies.toHost(device, pool);
                             NDArray result = download.await()) {
                            result.size();
                        }
                    }));
                }
            }
            pipeline(cuda, stream);
        }
    }

    private static void copy(String name, long bytes, int reps, Tensor to, Tensor from, CudaStream stream) throws Exception {
        double seconds = Timer.medianSeconds(5, reps, () -> {
            to.copy_(from, true);
            stream.synchronize();
        });
        Timer.report(name, seconds);
        System.out.printf("# %s %.1f GB/s%n", name, bytes / seconds / 1e9);
    }

    // Prepare a 32 MB float32 batch in Java (scale + shift, as a normalisation would), share it, send it.
    private static void pipeline(Device cuda, CudaStream stream) throws Exception {
        long elements = 32 * MB / 4;
        try (NDArray batch = PinnedMemory.allocate(DType.FLOAT32, elements);
             NDArray source = NDArray.full(DType.FLOAT32, 3, elements)) {
            Timer.report("pipeline_32MB_pinned", Timer.medianSeconds(7, 20, () -> {
                batch.assign(source);
                try (Tensor host = Bridge.fromArray(batch); Tensor onDevice = host.to(cuda, true)) {
                    stream.synchronize();
                }
            }));
        }
    }
}
