#!/usr/bin/env bash
# NDArray vs NumPy 2.x (default python3) in the same run.
# 1) the matrix: {add, mul, div, compare, where, exp, sum over the last / first axis, mean, astype f32->f16,
#    astype u8->f32, copy} x {contiguous, scalar, broadcast row, broadcast column, transposed, every second
#    element} x {float32, float64, int32, uint8} at 1M and 16M elements; each cell is NumPy's time / ours.
# 2) the pipeline cases: per-channel normalisation of ~100M float32, astype f32->f16, transposed copy, and
#    max/argmax/argmin of a 4096x4096 float32 matrix along each axis.
# Each cell's 9 timed rounds are spread over `passes` passes through the whole matrix (9 / passes per pass,
# rounded up; a neighbour's load on a shared machine then hits rounds of a cell independently).
# Usage: bench/ndarray.sh [sizes=1M,16M] [filter regex] [pipeline scale=1.0, 0 skips] [passes=3]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
sizes=${1:-1M,16M}
filter=${2:-.}
scale=${3:-1.0}
passes=${4:-3}
# Cells run in lockstep (ours, then NumPy's, cell by cell) so that both sides of a ratio see the same load.
python3 "$root/bench/lockstep.py" "$out/matrix.java.txt" "$out/matrix.py.txt" \
  -- "$java_bin" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xss4m -Xmx2g -Dtb.lockstep=true \
     ${TB_JAVA_OPTS:-} -cp "$classpath" org.tensorbridge.bench.ArrayMatrixBench "$sizes" "$filter" "$passes" \
  -- python3 "$root/bench/ndarray_matrix.py" "$sizes" "$filter" "$passes" --lockstep
python3 "$root/bench/matrix.py" "$out/matrix.java.txt" "$out/matrix.py.txt" | tee "$out/matrix.txt"
if [[ $scale != 0 ]]; then
  TB_JAVA_OPTS="-Xmx2g ${TB_JAVA_OPTS:-}" run_java org.tensorbridge.bench.NdarrayBench "$scale" 5 | tee "$out/ndarray.java.txt"
  python3 "$root/bench/ndarray_bench.py" "$scale" 5 | tee "$out/ndarray.py.txt"
  python3 "$root/bench/compare.py" "$out/ndarray.java.txt" "$out/ndarray.py.txt"
fi
