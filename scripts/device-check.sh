#!/usr/bin/env bash
# Runs on the GPU machine (no Java, no Maven, no network), from the repo root, with .device/ carried
# (see scripts/device-prepare.sh). In one call: builds the shim against the local CUDA torch (whatever its
# version: build.sh picks the C++ standard and include paths), runs `doctor --require-cuda`, the CUDA-tagged
# tests and the GPU benchmark with PyTorch's baseline; results go to $OUT. summary.txt records every step's
# exit code; the script exits non-zero when any step failed.
set -uo pipefail
OUT=${OUT:-/tmp/tb-out}
mkdir -p "$OUT"
: > "$OUT/summary.txt"
log() { echo "== $*" | tee -a "$OUT/summary.txt"; }
steps=() failed=0
record() { # step exit_code
  steps+=("$1: exit $2")
  log "$1: exit $2"
  [[ $2 -eq 0 ]] || failed=1
}
finish() {
  log "steps"
  for s in "${steps[@]}"; do echo "   $s" | tee -a "$OUT/summary.txt"; done
  log "result: $([[ $failed -eq 0 ]] && echo "all steps passed" || echo "FAILED")"
  exit $failed
}

tar xJf .device/jre.tar.xz -C /tmp
record "unpack Java runtime" $?
export TB_JAVA=/tmp/jre/bin/java
PY=
for candidate in ${PYTHON:-} /opt/torch/.venv/bin/python python3 /usr/bin/python3; do
  command -v "$candidate" >/dev/null 2>&1 && (cd / && "$candidate" -c 'import torch' >/dev/null 2>&1) && { PY=$candidate; break; }
done
if [[ -z $PY ]]; then
  log "no Python with torch found (PYTHON, /opt/torch/.venv/bin/python, python3, /usr/bin/python3)"
  record "find torch" 1
  finish
fi
# build.sh builds against this torch; the tests' PyTorch oracle is the same interpreter.
export PYTHON=$PY TB_TORCH_PYTHON=$PY
log "python: $PY ($(cd / && $PY -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device")' 2>&1))"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >> "$OUT/summary.txt" 2>&1

log "build shim"
bash torch/native/build.sh /tmp/tb-native > "$OUT/build.txt" 2>&1
rc=$?
echo "exit $rc" >> "$OUT/build.txt"
grep -v "warning\|note:\|^ *[0-9]* |\|^ *|" "$OUT/build.txt" | tail -3 | tee -a "$OUT/summary.txt"
cat /tmp/tb-native/libtensorbridge.properties >> "$OUT/summary.txt" 2>/dev/null
record "build shim" $rc
if [[ $rc -ne 0 || ! -f /tmp/tb-native/libtensorbridge.so ]]; then
  # Never fall back to the packed shim: it was built for another libtorch and cannot load here.
  log "the shim did not build for this machine's torch: the Java steps are skipped (see build.txt)"
  finish
fi
export TENSORBRIDGE_LIBRARY=/tmp/tb-native/libtensorbridge.so
export TB_CLASSPATH=".device/lib/*"
jars=$(ls .device/lib/*.jar | paste -sd:)  # JUnit's launcher does not expand "*" in class paths

log "doctor"
$TB_JAVA --enable-native-access=ALL-UNNAMED -cp "$TB_CLASSPATH" org.tensorbridge.cli.Main doctor --require-cuda 2>&1 | tee -a "$OUT/summary.txt"
record "doctor --require-cuda" "${PIPESTATUS[0]}"

log "CUDA-tagged tests"
testkit=
[[ -d .device/tests/testkit ]] && testkit=:.device/tests/testkit
# the launcher runs from a class path that holds the tests (not -jar): tests that start a child JVM pass it on
tests_cp="$jars$testkit:.device/tests/torch:.device/tests/bridge:.device/tests/data:.device/tests/dist"
timeout 240 $TB_JAVA --enable-native-access=ALL-UNNAMED \
  -cp "$tests_cp:.device/junit-platform-console-standalone.jar" org.junit.platform.console.ConsoleLauncher execute \
  --scan-class-path .device/tests/torch:.device/tests/bridge:.device/tests/data:.device/tests/dist \
  --include-tag cuda --details=tree --disable-banner > "$OUT/tests.txt" 2>&1
rc=$?
echo "exit $rc" >> "$OUT/tests.txt"
grep -E "tests (successful|failed|aborted|skipped)" "$OUT/tests.txt" | tee -a "$OUT/summary.txt"
record "CUDA-tagged tests" $rc

log "GPU benchmark (tensorbridge vs PyTorch, same run)"
TB_BENCH_OUT=$OUT timeout 200 bash bench/gpu.sh "${TB_GPU_MAX_MB:-1024}" > "$OUT/bench.txt" 2>&1
rc=$?
echo "exit $rc" >> "$OUT/bench.txt"
sed -n '/^benchmark/,$p' "$OUT/bench.txt" | tee -a "$OUT/summary.txt"
record "GPU benchmark" $rc

log "loader to CUDA (tensorbridge vs PyTorch's DataLoader and whole-on-GPU loop, same run)"
TB_BENCH_OUT=$OUT timeout 150 bash bench/loader.sh 3 cuda > "$OUT/loader.txt" 2>&1
rc=$?
echo "exit $rc" >> "$OUT/loader.txt"
grep -E '^(epoch_|tensorbridge best|# )' "$OUT/loader.txt" | tee -a "$OUT/summary.txt"
record "loader benchmark" $rc
finish
