#!/usr/bin/env bash
# Per-call cost: by-name ATen op, typed op, from_blob wrap+free — tensorbridge vs Python in the same run.
# Usage: bench/torch_calls.sh [rounds] [reps]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_java org.tensorbridge.bench.TorchCallBench "$@" | tee "$out/torch_calls.java.txt"
/usr/bin/python3 "$root/bench/torch_calls.py" "$@" | tee "$out/torch_calls.py.txt"
python3 "$root/bench/compare.py" "$out/torch_calls.java.txt" "$out/torch_calls.py.txt"
