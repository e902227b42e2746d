"""PyTorch's time for the 20-operator expression of ScopeBench (Debian's python3-torch; same machine, same run)."""
import sys

import torch

from benchlib import median_seconds, report


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x, w1, b1 = torch.randn(32, 64), torch.randn(64, 64), torch.randn(64)
    w2, b2, gamma, beta = torch.randn(64, 64), torch.randn(64), torch.ones(64), torch.zeros(64)

    def expression():
        h = x.matmul(w1).add(b1).relu().matmul(w2).add(b2)
        normed = torch.layer_norm(torch.softmax(h, -1), [64], gamma, beta, 1e-5)
        t = normed.mul(2.0).sub(0.5).tanh()
        l = t.exp().log()
        d = l.mul(l).sqrt().add(t).clamp(-1, 1).sigmoid()
        return d.matmul(d.t()).sum().item()

    print(f"# python torch {torch.__version__}, expression value {expression():.6f}", file=sys.stderr)
    seconds = median_seconds(rounds, reps, expression)
    report("expr20_scope", seconds)
    report("expr20_explicit", seconds)


if __name__ == "__main__":
    main()
