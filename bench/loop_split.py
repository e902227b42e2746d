"""NumPy's side of LoopSplitBench: the same float32 adds and float64 sum (NumPy runs them on one thread either
way)."""
import sys

import numpy as np

from benchlib import median_seconds, report


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    rng = np.random.default_rng(7)
    print(f"# numpy {np.__version__}")
    for n in (1 << 16, 1 << 18, 1 << 20):
        x = rng.random(n, dtype=np.float32)
        y = rng.random(n, dtype=np.float32)
        reps = max(50, (1 << 26) // n)
        t = median_seconds(rounds, reps, lambda: x + y)
        name = f"add_f32_{n >> 10}K"
        report(f"{name}_1thread", t)
        report(f"{name}_threads", t)
    x = rng.random(1 << 24)
    t = median_seconds(rounds, 20, lambda: x.sum())
    report("sum_f64_16M_1thread", t)
    report("sum_f64_16M_threads", t)


if __name__ == "__main__":
    main()
