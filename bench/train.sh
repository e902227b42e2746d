#!/usr/bin/env bash
# One MLP training step (784-512-512-10, batch 256, AdamW) in Java and in PyTorch, same run: fp32 and bf16
# autocast on the CPU. Goals: the Java step at most 1.05x Python's; the same autocast speed-up.
# Usage: bench/train.sh [rounds] [reps] [threads]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_java org.tensorbridge.bench.TrainBench "$@" | tee "$out/train.java.txt"
/usr/bin/python3 "$root/bench/train_bench.py" "$@" | tee "$out/train.py.txt"
python3 "$root/bench/compare.py" "$out/train.java.txt" "$out/train.py.txt"
python3 - "$out/train.java.txt" "$out/train.py.txt" <<'PY'
import sys
def load(p):
    return {l.split()[1]: float(l.split()[2]) for l in open(p) if l.startswith("RESULT")}
j, p = load(sys.argv[1]), load(sys.argv[2])
for k in j:
    print(f"{k}: java / python {j[k] / p[k]:.3f}x (goal: at most 1.05x)")
print(f"autocast speed-up: java {j['mlp_step_fp32'] / j['mlp_step_bf16_autocast']:.2f}x, "
      f"python {p['mlp_step_fp32'] / p['mlp_step_bf16_autocast']:.2f}x")
PY
