#!/usr/bin/env bash
# GPU data path: H2D/D2H bandwidth (pinned, pageable; 1 MB..1 GB) and the prepare->share->CUDA pipeline,
# tensorbridge vs PyTorch in the same run. Needs a CUDA machine; scripts/device-check.sh runs it there.
# Usage: bench/gpu.sh [max MB]     (PYTHON selects the interpreter with CUDA torch)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_java org.tensorbridge.bench.GpuBench "$@" | tee "$out/gpu.java.txt"
"${PYTHON:-python3}" "$root/bench/gpu_bench.py" "$@" | tee "$out/gpu.py.txt"
python3 "$root/bench/compare.py" "$out/gpu.java.txt" "$out/gpu.py.txt"
