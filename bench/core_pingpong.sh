#!/usr/bin/env bash
# Where the machine puts two threads, over time: the round trip of a cache line between them, sampled every
# 250 ms (tens of ns on one core or one L3, hundreds across L3 domains). A diagnostic for noisy benchmark
# results on a VM whose vCPUs the host moves; no baseline. Usage: bench/core_pingpong.sh [seconds=30]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_java org.tensorbridge.bench.CorePingPong "$@" | tee "$out/core_pingpong.txt"
