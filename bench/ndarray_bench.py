#!/usr/bin/env python3
"""NumPy baseline for NdarrayBench: same cases, same RESULT names. Usage: ndarray_bench.py [scale] [rounds]"""
import math
import sys

import numpy as np

from benchlib import median_seconds, report


def main():
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    batch = max(1, round(32 * scale))
    side = max(64, round(4096 * math.sqrt(scale)))
    n16 = max(1024, round(25_000_000 * scale))
    print(f"# numpy {np.__version__}, python {sys.version.split()[0]}, scale {scale}")
    rng = np.random.default_rng(1)
    mean = np.float32([0.485, 0.456, 0.406])[:, None, None]
    std = np.float32([0.229, 0.224, 0.225])[:, None, None]
    img = rng.random((batch, 3, 1024, 1024), dtype=np.float32)
    report("normalize_nchw_f32", median_seconds(rounds, 1, lambda: (img - mean) / std))
    del img
    x = rng.random(n16, dtype=np.float32)
    report("astype_f32_to_f16", median_seconds(rounds, 1, lambda: x.astype(np.float16)))
    del x
    m = rng.random((side, side), dtype=np.float32)
    report("transpose_copy_f32", median_seconds(rounds, 1, lambda: m.T.copy()))
    report("max_rows_f32", median_seconds(rounds, 1, lambda: m.max(1)))
    report("max_columns_f32", median_seconds(rounds, 1, lambda: m.max(0)))
    report("argmax_rows_f32", median_seconds(rounds, 1, lambda: m.argmax(1)))
    report("argmin_all_f32", median_seconds(rounds, 1, lambda: m.argmin()))


if __name__ == "__main__":
    main()
