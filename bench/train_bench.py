"""PyTorch's time for TrainBench's MLP training step, fp32 and bf16 autocast on the CPU (same machine, same run)."""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from benchlib import median_seconds, report


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    opt = torch.optim.AdamW(mlp.parameters(), lr=1e-6)
    x = torch.randn(256, 784)
    y = torch.randint(0, 10, (256,))

    def step(bf16):
        opt.zero_grad()
        if bf16:
            with torch.autocast('cpu', dtype=torch.bfloat16):
                loss = F.cross_entropy(mlp(x), y)
        else:
            loss = F.cross_entropy(mlp(x), y)
        loss.backward()
        opt.step()
        return 0

    print(f"# python torch {torch.__version__}", file=sys.stderr)
    step(False)
    report("mlp_step_fp32", median_seconds(rounds, reps, lambda: step(False)))
    report("mlp_step_bf16_autocast", median_seconds(rounds, reps, lambda: step(True)))

    # A small MLP (64-64-10, batch 32), where the framework's per-step overhead, not the kernels, dominates.
    mlp = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.AdamW(mlp.parameters(), lr=1e-6)
    x = torch.randn(32, 64)
    y = torch.randint(0, 10, (32,))
    step(False)
    report("small_mlp_step_fp32", median_seconds(rounds, reps * 50, lambda: step(False)))


if __name__ == "__main__":
    main()
