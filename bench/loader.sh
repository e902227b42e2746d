#!/usr/bin/env bash
# The loader vs PyTorch's DataLoader (best of workers 0/2, pin_memory) and the bare randperm + index_select
# gather, same data, same run: 60000 x 784 float32 + int64 labels, batch 256, shuffled.
# Goals here: at least 10x DataLoader's best and at least 1.0x the bare gather.
# Usage: bench/loader.sh [rounds] [device]   (device: cpu, the default, or cuda; PYTHON picks a CUDA torch)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_java org.tensorbridge.bench.LoaderBench "$@" | tee "$out/loader.java.txt"
"${PYTHON:-/usr/bin/python3}" "$root/bench/loader_bench.py" "$@" | tee "$out/loader.py.txt"
python3 "$root/bench/compare.py" "$out/loader.java.txt" "$out/loader.py.txt"
python3 - "$out/loader.java.txt" "$out/loader.py.txt" <<'PY'
import sys
load = lambda p: {l.split()[1]: float(l.split()[2]) for l in open(p) if l.startswith("RESULT")}
java, py = load(sys.argv[1]), load(sys.argv[2])
print(f"tensorbridge best vs DataLoader best: {py['epoch_best'] / java['epoch_best']:.2f}x (goal: at least 10x)")
print(f"tensorbridge best vs bare gather:     {py['epoch_gather'] / java['epoch_best']:.2f}x (goal: at least 1.0x)")
PY
