"""PyTorch's cost for what BridgeBench measures (Debian's python3-torch + numpy; same machine, same run).

Both sides run with their default thread settings (printed on stderr)."""
import sys

import numpy as np
import torch

from benchlib import median_seconds, report

SIZES = [1 << 10, 1 << 20, 256 << 20, 1 << 30]


def label(nbytes):
    if nbytes >= 1 << 30:
        return f"{nbytes >> 30}GB"
    if nbytes >= 1 << 20:
        return f"{nbytes >> 20}MB"
    return f"{nbytes >> 10}KB"


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    print(f"# python torch {torch.__version__}, numpy {np.__version__}, torch.get_num_threads()={torch.get_num_threads()}",
          file=sys.stderr)
    for nbytes in SIZES:
        a = np.zeros(nbytes // 4, dtype=np.float32)
        report(f"share_from_array_{label(nbytes)}", median_seconds(rounds, reps, lambda: torch.from_numpy(a)))
        del a
    for nbytes in SIZES:
        t = torch.zeros(nbytes // 4)
        report(f"to_array_{label(nbytes)}", median_seconds(rounds, max(reps // 10, 1), lambda: t.numpy()))
        del t
    nbytes = 256 << 20
    copy_rounds = max(rounds, 5)
    a = np.full(nbytes // 4, 1.5, dtype=np.float32)
    report(f"copy_from_array_{label(nbytes)}", median_seconds(copy_rounds, 1, lambda: torch.tensor(a)))
    report(f"copy_from_heap_{label(nbytes)}", median_seconds(copy_rounds, 1, lambda: torch.from_numpy(a).clone()))


if __name__ == "__main__":
    main()
