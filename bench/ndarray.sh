#!/usr/bin/env bash
# NDArray vs NumPy 2.x (default python3) in the same run: per-channel normalisation of ~100M float32,
# astype float32 -> float16, a strided-view copy.
# Usage: bench/ndarray.sh [scale] [rounds]   (scale 1.0 = full size, e.g. 0.05 for a quick run)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
scale=${1:-1.0}
rounds=${2:-5}
TB_JAVA_OPTS="-Xmx2g ${TB_JAVA_OPTS:-}" run_java org.tensorbridge.bench.NdarrayBench "$scale" "$rounds" | tee "$out/ndarray.java.txt"
python3 "$root/bench/ndarray_bench.py" "$scale" "$rounds" | tee "$out/ndarray.py.txt"
python3 "$root/bench/compare.py" "$out/ndarray.java.txt" "$out/ndarray.py.txt"
