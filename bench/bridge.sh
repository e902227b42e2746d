#!/usr/bin/env bash
# NDArray <-> Tensor exchange vs PyTorch in the same run: the sharing calls (Bridge.fromArray + close vs
# torch.from_numpy; Bridge.toArray + close vs tensor.numpy()) for 1 KiB .. 1 GiB float32, and the copying
# paths for 256 MiB (Bridge.copyFromArray vs torch.tensor(ndarray); Bridge.copyFrom(float[]) vs
# torch.from_numpy(a).clone()), with GB/s for the copies. Both sides keep their default thread settings.
# Usage: bench/bridge.sh [rounds] [reps]   (needs ~3 GB of free memory: 1 GiB arrays on each side, in turn)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
TB_JAVA_OPTS="-Xmx1g ${TB_JAVA_OPTS:-}" run_java org.tensorbridge.bench.BridgeBench "$@" | tee "$out/bridge.java.txt"
/usr/bin/python3 "$root/bench/bridge_bench.py" "$@" | tee "$out/bridge.py.txt"
python3 "$root/bench/compare.py" "$out/bridge.java.txt" "$out/bridge.py.txt"
python3 - "$out/bridge.java.txt" "$out/bridge.py.txt" <<'PY'
import sys
sizes = {"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30}
def load(path):
    return {p[1]: float(p[2]) for p in (l.split() for l in open(path)) if len(p) == 3 and p[0] == "RESULT"}
java, python = load(sys.argv[1]), load(sys.argv[2])
print(f"\n{'copy':44} {'tensorbridge':>12} {'python':>12}")
for name in java:
    if name.startswith("copy_"):
        label = name.rsplit("_", 1)[1]
        nbytes = int(label[:-2]) * sizes[label[-2:]]
        py = f"{nbytes / python[name] / 1e9:8.2f} GB/s" if name in python else "-"
        print(f"{name:44} {nbytes / java[name] / 1e9:8.2f} GB/s {py:>12}")
PY
