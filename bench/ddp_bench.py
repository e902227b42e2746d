"""PyTorch's DistributedDataParallel (Gloo) on the MLP of DdpBench: one rank, started by bench/ddp.sh with
torchrun's variables. Same fixed step counts on every rank; rank 0 prints `RESULT <name> <seconds>`."""
import os
import sys
import time

import torch
import torch.distributed as dist

IN, HIDDEN, BATCH = 256, 1024, 64


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.p = torch.nn.ParameterList([
            torch.nn.Parameter(torch.randn(IN, HIDDEN) * 0.05), torch.nn.Parameter(torch.zeros(HIDDEN)),
            torch.nn.Parameter(torch.randn(HIDDEN, HIDDEN) * 0.03), torch.nn.Parameter(torch.zeros(HIDDEN)),
            torch.nn.Parameter(torch.randn(HIDDEN, 1) * 0.03), torch.nn.Parameter(torch.zeros(1))])

    def forward(self, x):
        p = self.p
        h = x.matmul(p[0]).add(p[1]).tanh()
        h = h.matmul(p[2]).add(p[3]).tanh()
        return h.matmul(p[4]).add(p[5])


def median(rounds, reps, fn):
    for _ in range(reps):
        fn()
    per_call = []
    for _ in range(rounds):
        dist.barrier()
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        per_call.append((time.perf_counter() - start) / reps)
    per_call.sort()
    return per_call[rounds // 2]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    torch.set_num_threads(int(os.environ.get("TB_BENCH_THREADS", "1")))
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    model = torch.nn.parallel.DistributedDataParallel(Mlp())
    torch.manual_seed(1 + rank)
    x, y = torch.randn(BATCH, IN), torch.randn(BATCH, 1)

    def step():
        loss = model(x).sub(y).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p.sub_(p.grad.mul(0.01))
                p.grad = None

    results = {f"ddp_step_w{world}": median(rounds, reps, step)}
    buffer = torch.ones(4 << 20)
    results[f"allreduce_16MB_w{world}"] = median(rounds, max(1, reps // 2), lambda: dist.all_reduce(buffer))
    if rank == 0:
        print(f"# python torch {torch.__version__}", file=sys.stderr)
        for name, seconds in results.items():
            print(f"RESULT {name} {seconds:.6e}", flush=True)
    dist.barrier()
    # Tearing the Gloo group down at exit can hang in Debian's 1.13: leave at once, like a killed worker.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
