#!/usr/bin/env bash
# Runs on the GPU machine (no Java, no Maven, no network), from the repo root, with .device/ carried
# (see scripts/device-prepare.sh). In one call: builds the shim against the local CUDA torch, runs
# `doctor`, the CUDA-tagged tests and the GPU benchmark with PyTorch's baseline; results go to $OUT.
set -uo pipefail
OUT=${OUT:-/tmp/tb-out}
mkdir -p "$OUT"
log() { echo "== $*" | tee -a "$OUT/summary.txt"; }
tar xJf .device/jre.tar.xz -C /tmp
export TB_JAVA=/tmp/jre/bin/java
PY=/opt/torch/.venv/bin/python
[[ -x $PY ]] || PY=/usr/bin/python3
export PYTHON=$PY
log "python: $PY ($(cd / && $PY -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0))' 2>&1))"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >> "$OUT/summary.txt" 2>&1

log "build shim"
bash torch/native/build.sh /tmp/tb-native > "$OUT/build.txt" 2>&1; echo "exit $?" >> "$OUT/build.txt"
tail -3 "$OUT/build.txt" | tee -a "$OUT/summary.txt"
export TENSORBRIDGE_LIBRARY=/tmp/tb-native/libtensorbridge.so
export TB_CLASSPATH=".device/lib/*"
jars=$(ls .device/lib/*.jar | paste -sd:)  # JUnit's launcher does not expand "*" in class paths

log "doctor"
$TB_JAVA --enable-native-access=ALL-UNNAMED -cp "$TB_CLASSPATH" org.tensorbridge.cli.Main doctor --require-cuda 2>&1 | tee -a "$OUT/summary.txt"

log "CUDA-tagged tests"
timeout 240 $TB_JAVA --enable-native-access=ALL-UNNAMED -jar .device/junit-platform-console-standalone.jar execute \
  --class-path "$jars:.device/tests/torch:.device/tests/bridge" --scan-class-path .device/tests/torch:.device/tests/bridge \
  --include-tag cuda --details=tree --disable-banner > "$OUT/tests.txt" 2>&1
echo "exit $?" >> "$OUT/tests.txt"
grep -E "tests (successful|failed|aborted|skipped)|exit" "$OUT/tests.txt" | tee -a "$OUT/summary.txt"

log "GPU benchmark (tensorbridge vs PyTorch, same run)"
TB_BENCH_OUT=$OUT timeout 200 bash bench/gpu.sh "${TB_GPU_MAX_MB:-1024}" > "$OUT/bench.txt" 2>&1
echo "exit $?" >> "$OUT/bench.txt"
sed -n '/^benchmark/,$p' "$OUT/bench.txt" | tee -a "$OUT/summary.txt"
