#!/usr/bin/env bash
# Scopes cost: a 20-op expression with a Scope, with explicit closes, and in PyTorch, in the same run.
# Goals: the scope within 5% of explicit closes; the Java expression at most 1.0x Python's time.
# Usage: bench/scope.sh [rounds] [reps]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_java org.tensorbridge.bench.ScopeBench "$@" | tee "$out/scope.java.txt"
/usr/bin/python3 "$root/bench/scope_bench.py" "$@" | tee "$out/scope.py.txt"
python3 "$root/bench/compare.py" "$out/scope.java.txt" "$out/scope.py.txt"
python3 - "$out/scope.java.txt" <<'PY'
import sys
r = {l.split()[1]: float(l.split()[2]) for l in open(sys.argv[1]) if l.startswith("RESULT")}
print(f"scope / explicit closes: {r['expr20_scope'] / r['expr20_explicit']:.3f}x (goal: at most 1.05x)")
PY
