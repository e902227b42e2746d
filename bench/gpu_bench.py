"""PyTorch's side of GpuBench: the same copies with copy_(non_blocking=True), the same RESULT names."""
import sys

import numpy as np
import torch

from benchlib import median_seconds, report

MB = 1 << 20


def copy(name, nbytes, reps, dst, src):
    def step():
        dst.copy_(src, non_blocking=True)
        torch.cuda.synchronize()
    seconds = median_seconds(5, reps, step)
    report(name, seconds)
    print(f"# {name} {nbytes / seconds / 1e9:.1f} GB/s")


def main():
    max_bytes = (int(sys.argv[1]) if len(sys.argv) > 1 else 1024) * MB
    print(f"# torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    side = torch.cuda.Stream()
    for nbytes in (MB, 16 * MB, 256 * MB, 1024 * MB):
        if nbytes > max_bytes:
            break
        size = f"{nbytes // (1024 * MB)}GB" if nbytes >= 1024 * MB else f"{nbytes // MB}MB"
        reps = max(3, min(100, (256 * MB) // nbytes))
        n = nbytes // 4
        pinned = torch.ones(n, pin_memory=True)
        pageable = torch.ones(n)
        device = torch.empty(n, device="cuda")
        copy(f"h2d_pinned_{size}", nbytes, reps, device, pinned)
        copy(f"h2d_pageable_{size}", nbytes, reps, device, pageable)
        copy(f"d2h_pinned_{size}", nbytes, reps, pinned, device)
        copy(f"d2h_pageable_{size}", nbytes, reps, pageable, device)

        def side_upload():  # what DeviceCopies.toDevice does: a side stream, an event to wait on
            with torch.cuda.stream(side):
                on_device = pinned.to("cuda", non_blocking=True)
                done = torch.cuda.Event()
                done.record(side)
            done.synchronize()
            return on_device

        def side_download():  # what DeviceCopies.toHost does: a fresh pinned buffer, a side stream, an event
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                host = torch.empty(n, pin_memory=True)
                host.copy_(device, non_blocking=True)
                done = torch.cuda.Event()
                done.record(side)
            done.synchronize()
            return host
        report(f"h2d_devicecopies_pool_{size}", median_seconds(5, reps, side_upload))
        report(f"d2h_devicecopies_pool_{size}", median_seconds(5, reps, side_download))
        del pinned, pageable, device
    n = 32 * MB // 4
    batch = torch.empty(n, pin_memory=True)
    batch_np = batch.numpy()
    source = np.full(n, 3, dtype=np.float32)

    def pipeline():
        np.copyto(batch_np, source)
        batch.to("cuda", non_blocking=True)
        torch.cuda.synchronize()
    report("pipeline_32MB_pinned", median_seconds(7, 20, pipeline))


if __name__ == "__main__":
    main()
