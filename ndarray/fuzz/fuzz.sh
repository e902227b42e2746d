#!/usr/bin/env bash
# A bounded coverage-guided fuzzing run of the file readers (Jazzer, ReaderFuzzTest#anyReader: 45 s), as CI runs
# it. Prints libFuzzer's figures (inputs run, coverage) and the test's own (refusals, distinct refusal sites).
# A finding fails the run and is saved under src/test/resources/.../ReaderFuzzTestInputs/anyReader, where plain
# `mvn test` replays it from then on. Usage: ndarray/fuzz/fuzz.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$root/scripts/java-env.sh"
cd "$root"
log=$(mktemp)
status=0
JAZZER_FUZZ=1 mvn -B test -pl ndarray -am -Dtest=ReaderFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtb.jvm.args="--enable-native-access=ALL-UNNAMED -Xss4m -XX:+EnableDynamicAgentLoading" >"$log" 2>&1 || status=$?
report=ndarray/target/surefire-reports/org.tensorbridge.ndarray.io.ReaderFuzzTest-output.txt
grep -hE '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|FUZZ-FIGURES|== Java Exception|FuzzTestFindingException|Tests run:' \
    "$log" "$report" 2>/dev/null | sort -u || true
if [[ $status -ne 0 ]]; then
  tail -80 "$log"
  echo "fuzz.sh: the fuzzing run FAILED (see above)" >&2
fi
rm -f "$log"
exit $status
