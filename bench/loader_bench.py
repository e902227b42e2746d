"""PyTorch's side of LoaderBench: DataLoader (workers 0/2, pin_memory off/on where CUDA exists) and the bare
randperm + index_select gather, one epoch of 60000 x 784 float32 + int64 labels, batch 256, shuffled."""
import sys
import time

import torch
from torch.utils.data import DataLoader, TensorDataset

from benchlib import report


def median_epoch(rounds, epoch):
    epoch()  # warm up (worker start-up included in every timed epoch, as users pay it)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    device = sys.argv[2] if len(sys.argv) > 2 else "cpu"
    cuda = device.startswith("cuda")
    torch.manual_seed(0)
    x, y = torch.randn(60000, 784), torch.randint(0, 10, (60000,))
    data = TensorDataset(x, y)
    best = float("inf")
    pins = (False, True) if cuda else (False,)
    for workers in (0, 2):
        for pin in pins:
            loader = DataLoader(data, batch_size=256, shuffle=True, num_workers=workers, pin_memory=pin,
                                persistent_workers=workers > 0)

            def epoch():
                for xb, yb in loader:
                    if cuda:
                        xb.to(device, non_blocking=pin), yb.to(device, non_blocking=pin)
                if cuda:
                    torch.cuda.synchronize()
            seconds = median_epoch(rounds, epoch)
            name = f"dataloader_w{workers}{'_pin' if pin else ''}"
            print(f"# {name}: {60000 / seconds / 1e6:.3f}M samples/s", flush=True)
            best = min(best, seconds)

    xs, ys = (x.to(device), y.to(device)) if cuda else (x, y)  # on CUDA: PyTorch's whole-dataset-on-GPU loop

    def gather():
        order = torch.randperm(60000, device=device)
        for start in range(0, 60000, 256):
            index = order[start:start + 256]
            xs.index_select(0, index), ys.index_select(0, index)
        if cuda:
            torch.cuda.synchronize()
    seconds = median_epoch(rounds, gather)
    print(f"# bare gather: {60000 / seconds / 1e6:.3f}M samples/s", flush=True)
    report("epoch_best", best)
    report("epoch_gather", seconds)


if __name__ == "__main__":
    main()
