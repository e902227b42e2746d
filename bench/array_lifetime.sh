#!/usr/bin/env bash
# The cost of an array's lifetime: a small NDArray op + close vs NumPy, and the shared-arena close
# (a JVM-wide handshake) that NDBuffer keeps off small arrays. Usage: bench/array_lifetime.sh [rounds]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_java org.tensorbridge.bench.ArrayLifetimeBench "$@" | tee "$out/array_lifetime.java.txt"
python3 "$root/bench/array_lifetime.py" "$@" | tee "$out/array_lifetime.py.txt"
python3 "$root/bench/compare.py" "$out/array_lifetime.java.txt" "$out/array_lifetime.py.txt"
