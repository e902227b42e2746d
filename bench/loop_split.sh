#!/usr/bin/env bash
# Splitting loops across the loop threads (LoopTeam): a float32 add of 64K/256K/1M elements on one thread and
# on all of them, and a sum of 16M float64 (128 MB from memory) likewise, vs NumPy's add and sum in the same
# run. Usage: bench/loop_split.sh [rounds]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_java org.tensorbridge.bench.LoopSplitBench "$@" | tee "$out/loop_split.java.txt"
python3 "$root/bench/loop_split.py" "$@" | tee "$out/loop_split.py.txt"
python3 "$root/bench/compare.py" "$out/loop_split.java.txt" "$out/loop_split.py.txt"
