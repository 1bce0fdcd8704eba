#!/usr/bin/env bash
# Where does the target's CPU per delivery go? (issue 14) Runs scenarios/bench/fanout-16k.sh (its SSE / WS sizes
# apply) with the target's JIT'd code named for perf (perf map on; ReadyToRun and W^X off, or every managed frame
# shows as memfd:doublemapper), records the target with `perf record -g` for PERF_SECONDS (15) starting PERF_AT (22)
# seconds after it starts (the steady part of the measured phase), and puts every sample in one area by its call
# chain (target-profile.py): the kernel's send path, Kestrel and pipelines, thread-pool wake-ups, our code, ...
#
#   scenarios/bench/target-profile.sh                 # 16,000 subscribers, about 2 minutes
#   SSE=2000 WS=2000 scenarios/bench/target-profile.sh
#
# Shares, not µs: they hold on a busy machine, where fanout-16k's own µs figures do not. ReadyToRun off makes the
# JIT compile everything at start; its samples are listed apart, and the shares of the rest are what to read.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d /tmp/target-profile.XXXXXX)
PERF_AT=${PERF_AT:-22}; PERF_SECONDS=${PERF_SECONDS:-15}
TARGET_ENV="DOTNET_PerfMapEnabled=1 DOTNET_ReadyToRun=0 DOTNET_EnableWriteXorExecute=0 ${TARGET_ENV:-}" \
  bash scenarios/bench/fanout-16k.sh >"$out/fanout.log" 2>&1 &
runner=$!
pid=""
for _ in $(seq 1 600); do
  pid=$(grep -o 'target: pid [0-9]*' "$out/fanout.log" | awk '{print $3}' || true)
  [[ -n $pid ]] && break
  sleep 0.5
done
[[ -n $pid ]] || { echo "no target pid; fanout-16k.sh said:" >&2; cat "$out/fanout.log" >&2; exit 1; }
sleep "$PERF_AT"
perf record -F 2999 -g -p "$pid" -o "$out/perf.data" -- sleep "$PERF_SECONDS" 2>"$out/perf-record.log" || true
# perf resolves JIT'd frames from the map, which the process deletes when it exits: keep a copy.
cp "/tmp/perf-$pid.map" "$out/" 2>/dev/null || true
wait "$runner" || echo "fanout-16k.sh exited $?"
grep -E "CPU per delivery|p99 / floor" "$out/fanout.log" || true
echo "=== target CPU by area (perf record -g, $PERF_SECONDS s of the measured phase) ==="
perf script -i "$out/perf.data" 2>/dev/null | python3 scenarios/bench/target-profile.py 12
echo "raw output: $out"
