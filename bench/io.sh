#!/usr/bin/env bash
# File-format benchmark: tensorbridge (NpyMmapBench) vs NumPy 2.x (io_bench.py), same machine, same files.
# Creates a 1 GB float32 .npy with np.lib.format.open_memmap (fast: no data written), a 64 MB .npy and a
# safetensors file, runs both sides and prints the comparison table.
# Usage: bench/io.sh [workdir]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
here=$root/bench
work="${1:-/tmp/tb-io-bench}"
mkdir -p "$work"
python3 - "$work" <<'PY'
import os, sys
import numpy as np
d = sys.argv[1]
big = os.path.join(d, 'big.npy')
if not os.path.exists(big):
    a = np.lib.format.open_memmap(big, mode='w+', dtype=np.float32, shape=(268435456,))
    a[-1] = 1.5
    a.flush()
    del a
mid = os.path.join(d, 'mid.npy')
if not os.path.exists(mid):
    np.save(mid, np.zeros(16 << 20, np.float32))
PY
# The Java side also creates model.safetensors (if missing) before python needs it.
run_java org.tensorbridge.bench.NpyMmapBench "$work" | tee "$work/java.txt"
python3 "$here/io_bench.py" "$work" | tee "$work/py.txt"
python3 "$here/compare.py" "$work/java.txt" "$work/py.txt"
