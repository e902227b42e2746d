#!/usr/bin/env bash
# Which Vector API calls in the ndarray loops C2 compiled from a type profile that saw more than one vector
# class. Such a call is inlined for each class seen and the results merged, which boxes every vector of the
# loop (a compare loop ran 5x slower that way). Runs the matrix once (Java only, no timing worth quoting) with
# C2's inlining log and lists the polluted sites; exits 1 when there is one. A diagnostic, no baseline.
# Usage: bench/vector_profiles.sh [sizes=1M] [filter regex=.]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
log=$out/vector_profiles.log
TB_JAVA_OPTS="-Xmx2g -XX:+UnlockDiagnosticVMOptions -XX:+PrintCompilation \
-XX:CompileCommand=quiet -XX:CompileCommand=PrintInlining,org.tensorbridge.ndarray.*::* ${TB_JAVA_OPTS:-}" \
  run_java org.tensorbridge.bench.ArrayMatrixBench "${1:-1M}" "${2:-.}" 1 > "$log"
python3 "$root/bench/vector_profiles.py" "$log" | tee "$out/vector_profiles.txt"
