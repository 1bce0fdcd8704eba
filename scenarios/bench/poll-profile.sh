#!/usr/bin/env bash
# Where the engine's CPU goes while it polls back to back (issue 14, the polling rate against wrk): the same
# target and engine scenario as poll-vs-wrk.sh, with `perf record -g` on the engine during its measured phase,
# then the samples summed into areas (kernel send / recv / epoll / scheduling, socket engine, async machinery,
# response parsing, JSON, latency recording, byte accounting, timers, GC, …) by poll-profile.py.
#
#   scenarios/bench/poll-profile.sh              # 64 connections, 6 s of samples
#   C=256 SECONDS_RECORDED=10 scenarios/bench/poll-profile.sh
#
# Prints shares (percent of the engine's samples), which hold on a busy machine; absolute times do not. The
# engine runs with DOTNET_PerfMapEnabled=1 so that perf can name JIT-compiled frames (/tmp/perf-PID.map) and
# DOTNET_EnableWriteXorExecute=0 (with W^X on, JIT code runs from a memfd double mapping perf cannot name), and
# as `loadbench run` ships (inline socket completions, server GC); ENGINE_ENV adds settings for experiments.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

C=${C:-64}
SECONDS_RECORDED=${SECONDS_RECORDED:-6}
WARMUP=${WARMUP:-3}
OUT=$(mktemp -d /tmp/poll-profile.XXXXXX)
command -v perf >/dev/null || { echo "perf is missing (Debian: apt-get install linux-perf)" >&2; exit 2; }

bench_build
bench_start_target "$OUT/target.log" --rate 1 --payload-bytes 100
ENGINE_PID=""
trap 'bench_stop "$ENGINE_PID" "$TARGET_PID"' EXIT
bench_load_note

bench_poll_plan "scenarios/bench/poll-$C.json" "$OUT/poll.json" "$WARMUP" "$((SECONDS_RECORDED + 6))"

# Warm the target first, as poll-vs-wrk.sh does.
wrk -t2 -c"$C" -d3s "$TARGET_URL/feed/poll?max=1000" >/dev/null
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 $ENGINE run "$OUT/poll.json" --target "$TARGET_URL" --output "$OUT/results" --quiet >"$OUT/engine.log" 2>&1 &
ENGINE_PID=$!
# Start-up (about 1 s) and the warm-up, then one more second: the samples are of the measured phase.
sleep $((WARMUP + 3))
kill -0 "$ENGINE_PID" 2>/dev/null || { echo "the engine ended early:" >&2; cat "$OUT/engine.log" >&2; exit 1; }
perf record -F 1999 -g -p "$ENGINE_PID" -o "$OUT/perf.data" -- sleep "$SECONDS_RECORDED" 2>"$OUT/perf-record.log"
wait "$ENGINE_PID" || { echo "engine run failed:" >&2; tail -n 20 "$OUT/engine.log" >&2; exit 1; }
ENGINE_PID=""
bench_load_note

echo "engine: $(bench_json "$OUT/results/results.json" "'{:.0f} requests/s, lost {}, errors {}'.format(d['scenarios'][0]['throughput']['requestsPerSecond'], d['scenarios'][0]['integrity']['lost'], d['scenarios'][0]['errors']['count'])")"
perf script -i "$OUT/perf.data" 2>/dev/null | python3 scenarios/bench/poll-profile.py
echo "perf data: $OUT/perf.data (perf report -i $OUT/perf.data --no-children)"
