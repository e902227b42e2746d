"""NumPy's side of ArrayLifetimeBench: a small op whose result is dropped (NumPy frees it by refcount)."""
import sys

import numpy as np

from benchlib import median_seconds, report


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    small = np.ones(100, dtype=np.float32)
    print(f"# numpy {np.__version__}")
    report("small_add_close_100xf32", median_seconds(rounds, 20000, lambda: small + 1.0))


if __name__ == "__main__":
    main()
