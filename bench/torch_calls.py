"""Python's cost for the calls TorchCallBench measures (Debian's python3-torch; same machine, same run)."""
import sys

import numpy as np
import torch

from benchlib import median_seconds, report


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    a, b = torch.ones(4), torch.ones(4)
    add = torch.ops.aten.add.Tensor
    arr = np.zeros(1024, dtype=np.float32)
    print(f"# python torch {torch.__version__}, numpy {np.__version__}", file=sys.stderr)
    m = torch.ones(2, 3)

    def failing_mm():
        try:
            torch.mm(m, m)
        except RuntimeError:
            pass
    report("libtorch_error_mm", median_seconds(rounds, max(reps // 100, 10), failing_mm))
    for name, fn in [("op_add_by_name", lambda: add(a, b)),
                     ("op_add_resolved", lambda: torch.ops.aten.add(a, b)),
                     ("tensor_add_typed", lambda: torch.add(a, b)),
                     ("from_blob_wrap_free", lambda: torch.from_numpy(arr))]:
        report(name, median_seconds(rounds, reps, fn))


if __name__ == "__main__":
    main()
