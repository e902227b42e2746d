#!/usr/bin/env bash
# Data-parallel training: step time of a 3-layer MLP (batch 64 per rank) with gradients averaged over 1 and 2 local
# processes, and the all-reduce bandwidth of 16 MB, for tensorbridge's DataParallel and PyTorch's
# DistributedDataParallel (Debian's python3-torch, Gloo), in the same run. Goal: the Java step at most 1.05x PyTorch's.
# Each rank uses TB_BENCH_THREADS intra-op threads (default 1). Usage: bench/ddp.sh [rounds] [reps]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# PyTorch 2.4+'s env:// store asks for libuv, which Debian 13's torch lacks; both sides use the classic store.
export USE_LIBUV=${USE_LIBUV:-0}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ranks WORLD OUTFILE COMMAND...: runs WORLD ranks of COMMAND with torchrun's variables; rank 0's output to OUTFILE.
ranks() {
  local world=$1 file=$2; shift 2
  local port pids=() r status=0
  port=$(free_port)
  for ((r = world - 1; r >= 0; r--)); do
    if ((r == 0)); then
      MASTER_ADDR=127.0.0.1 MASTER_PORT=$port RANK=0 LOCAL_RANK=0 WORLD_SIZE=$world timeout 600 "$@" >> "$file" &
    else
      MASTER_ADDR=127.0.0.1 MASTER_PORT=$port RANK=$r LOCAL_RANK=$r WORLD_SIZE=$world timeout 600 "$@" > /dev/null &
    fi
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
  return $status
}

: > "$out/ddp.java.txt"
: > "$out/ddp.py.txt"
for world in 1 2; do
  ranks "$world" "$out/ddp.java.txt" "$java_bin" --enable-native-access=ALL-UNNAMED -Xss4m ${TB_JAVA_OPTS:-} -cp "$classpath" \
    org.tensorbridge.bench.DdpBench "$@"
  ranks "$world" "$out/ddp.py.txt" /usr/bin/python3 "$root/bench/ddp_bench.py" "$@"
done
cat "$out/ddp.java.txt" "$out/ddp.py.txt"
python3 "$root/bench/compare.py" "$out/ddp.java.txt" "$out/ddp.py.txt"
python3 - "$out/ddp.java.txt" "$out/ddp.py.txt" <<'PY'
import sys
load = lambda p: {l.split()[1]: float(l.split()[2]) for l in open(p) if l.startswith("RESULT")}
java, py = load(sys.argv[1]), load(sys.argv[2])
for w in (1, 2):
    k = f"ddp_step_w{w}"
    print(f"{w} process(es): Java step / PyTorch DDP step: {java[k] / py[k]:.3f}x (goal: at most 1.05x)")
for w in (1, 2):
    k = f"allreduce_16MB_w{w}"
    print(f"all-reduce 16 MB, {w} process(es): Java {(4 << 22) / java[k] / 1e9:.2f} GB/s, PyTorch {(4 << 22) / py[k] / 1e9:.2f} GB/s")
PY
