#!/usr/bin/env bash
# A bounded coverage-guided fuzzing run of the file readers with Jazzer, as CI runs it: ReaderFuzzTest#anyReader
# (raw bytes mutated from the NumPy-made seed corpus, 30 s) then ReaderFuzzTest#builtFromParts (files built from
# fuzzer-chosen header parts, 15 s); Jazzer fuzzes one target per JVM. Prints libFuzzer's figures (inputs run,
# coverage) and the test's own (refusals, distinct refusal sites). A finding fails the run and is saved under
# src/test/resources/.../ReaderFuzzTestInputs/<target>, where plain `mvn test` replays it from then on. Then
# NumPy judges the evolved corpus (FuzzCorpusNumpyTest): an .npy/.npz input we accept and NumPy refuses fails too.
# Usage: ndarray/fuzz/fuzz.sh [target...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/scripts/java-env.sh"
cd "$root"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(anyReader builtFromParts)
status=0
for target in "${targets[@]}"; do
  log=$(mktemp)
  rc=0
  # Only the fuzz tests' own surefire execution (ndarray/pom.xml), so the target is fuzzed once.
  JAZZER_FUZZ=1 mvn -B test-compile surefire:test@fuzz-regression -pl ndarray -am -Dtest="ReaderFuzzTest#$target" \
      -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1 || rc=$?
  echo "== ReaderFuzzTest#$target"
  grep -hE '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|FUZZ-FIGURES|== Java Exception|FuzzTestFindingException' \
      "$log" || true
  if [[ $rc -ne 0 ]]; then
    tail -80 "$log"
    echo "fuzz.sh: fuzzing ReaderFuzzTest#$target FAILED (see above)" >&2
    status=$rc
  fi
  rm -f "$log"
done
# NumPy judges what the fuzzer evolved: every .npy/.npz input we accept, NumPy must accept too.
log=$(mktemp)
rc=0
mvn -B test-compile surefire:test@default-test -pl ndarray -am -Dtest=FuzzCorpusNumpyTest \
    -Dtb.fuzz.corpus="$root/ndarray/.cifuzz-corpus" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1 || rc=$?
echo "== NumPy's verdicts on the evolved corpus (FuzzCorpusNumpyTest)"
grep -hE '^FUZZ-NUMPY|WE ACCEPT' "$log" | sort -u || true
if [[ $rc -ne 0 ]]; then
  tail -60 "$log"
  echo "fuzz.sh: NumPy refuses inputs we accept (see above)" >&2
  status=$rc
fi
rm -f "$log"
exit $status
