#!/usr/bin/env bash
# Polling throughput: the engine's short-polling clients against wrk -t2 on the same target, same connection
# count, alternated, so that noise on this shared machine shows as spread instead of hiding in one number.
# Acceptance (issue 14): engine requests/s ÷ wrk's ≥ 1.0, ratio of the means over ≥ 3 rounds.
#
#   scenarios/bench/poll-vs-wrk.sh                    # C = 64 and 256, 3 rounds each
#   ROUNDS=3 scenarios/bench/poll-vs-wrk.sh 64
#   ROUNDS=2 DURATION=6 scenarios/bench/poll-vs-wrk.sh 64   # a quick proof
#   THREADPOOL=1 …                                     # also the engine with thread-pool completions
#
# One target for everything: the Release build, publishing 1 event/s of 100 bytes. Why not 0: with a silent
# feed every engine poll is `[]` and its event path (JSON parse, seq check, latency, byte split) never runs;
# at 1 event/s each engine connection gets one non-empty answer per second, so the engine does all its work
# and proves zero loss, while the server's cost per request stays that of `[]` (C small answers a second
# among tens of thousands). wrk asks /feed/poll without `after` ("only what is new from now"), which is
# always `[]`: a fixed `after` would make wrk's answers grow during the run and slow wrk down unfairly. wrk
# sends the feed's `epoch` as the engine does (the target checks it on every request), so that the two differ
# in nothing the target parses but the digits of `after`.
#
# How each run is measured, the same way for both tools:
# - Both run WARMUP + DURATION seconds (engine: a scenario with that warm-up and length; wrk: -d of the sum).
#   WARMUP is 5 s, not the 2 s this script used before: the engine's tiered JIT compiles for about 10 s after its
#   start on this machine (its compiler thread took ~6 % of the engine's CPU in a window that began 2 s in), a
#   one-time cost that a warm-up is there to leave out and that wrk, compiled ahead of time, never pays.
# - Requests/s are counted by the target itself (/stats, transports.poll.requests) over one slice of every run:
#   from WARMUP + 1 s after the target saw the run's first request, for DURATION − 2 s. The slice is inside the
#   engine's measured phase (its process start-up and JIT warm-up stay out) and at the same offset for wrk, so
#   neither tool's own count (nor its idea of the window) decides; each tool's own figure is printed beside it.
# - CPU per request over the same slice, from /proc: the tool's, the target's, and what everything else on the
#   machine used meanwhile ("others", in cores). On 2 shared cores throughput is roughly
#   2 cores ÷ (target µs + tool µs per request), so a tool's µs per request explains its ratio, and "others"
#   says which rounds another engineer's build took from.
# - The target is warmed before the first round (a discarded wrk run of 3 s): otherwise whichever tool runs
#   first meets a target still in its JIT warm-up.
# - Order alternates per round (engine → wrk, then wrk → engine, …), so a drift in the machine's load over
#   the rounds falls on both tools alike.
#
# With THREADPOOL=1 each round also runs the engine with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0, the
# .NET default: `loadbench run` turns inline socket completions on for itself (Running/EngineProcess.cs;
# socket continuations run on the epoll threads, as in wrk's event loop), and this shows what that is worth.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

CONNECTIONS=("${@:-64}")
if [[ $# -eq 0 ]]; then CONNECTIONS=(64 256); fi
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-5}
DURATION=${DURATION:-10}
THREADPOOL=${THREADPOOL:-0}
OUT=$(mktemp -d /tmp/poll-vs-wrk.XXXXXX)
HZ=$(getconf CLK_TCK)
SKIP=$((WARMUP + 1))
SLICE=$((DURATION - 2))
(( SLICE >= 2 )) || { echo "DURATION must be at least 4 (s)" >&2; exit 2; }

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

bench_build
bench_start_target "$OUT/target.log" --rate 1 --payload-bytes 100
trap 'bench_stop "$TARGET_PID"' EXIT
bench_load_note
EPOCH=$(curl -sf "$TARGET_URL/feed/info" | python3 -c "import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin).get('epoch') or '', safe=''))")
WRK_URL="$TARGET_URL/feed/poll?max=1000${EPOCH:+&epoch=$EPOCH}"
echo "wrk asks $WRK_URL"

# The target's count of /feed/poll requests so far (grep, not python: this runs 20 times a second while a tool
# starts, and should cost the machine next to nothing; the poll object holds numbers only).
poll_requests() {
  curl -sf "$TARGET_URL/stats" | grep -o '"poll":{[^}]*' | grep -o '"requests":[0-9]*' | cut -d: -f2
}

# The machine's busy jiffies (all CPUs, everything but idle and iowait; proc(5)).
machine_busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# sample PID : one line "wall requests target_ticks tool_ticks machine_busy".
sample() {
  echo "$(date +%s.%N) $(poll_requests) $(bench_cpu_ticks "$TARGET_PID") $(bench_cpu_ticks "$1") $(machine_busy)"
}

# measure PID LABEL : waits for the run's first request, skips SKIP s, samples a SLICE-s slice; appends
# "label requests/s tool_µs target_µs others_cores" to SLICE_RESULT.
measure() {
  local pid=$1 before first now a b
  before=$(poll_requests)
  for _ in $(seq 1 300); do
    now=$(poll_requests)
    (( now > before )) && break
    kill -0 "$pid" 2>/dev/null || { echo "$2 ended before its first request" >&2; return 1; }
    sleep 0.05
  done
  first=$(date +%s.%N)
  sleep "$(python3 -c "import time; print(max(0, $first + $SKIP - time.time()))")"
  a=$(sample "$pid")
  sleep "$SLICE"
  b=$(sample "$pid")
  kill -0 "$pid" 2>/dev/null || { echo "$2 ended inside its slice: the slice does not fit the run" >&2; return 1; }
  SLICE_RESULT=$(python3 - "$HZ" $a $b <<'PY'
import sys
hz = int(sys.argv[1])
w0, r0, t0, g0, m0, w1, r1, t1, g1, m1 = map(float, sys.argv[2:12])
wall, req = w1 - w0, r1 - r0
tool, target, machine = (g1 - g0) / hz, (t1 - t0) / hz, (m1 - m0) / hz
print(f"{req / wall:.0f} {tool / req * 1e6:.2f} {target / req * 1e6:.2f} {(machine - tool - target) / wall:.2f}")
PY
)
}

# engine_run C ROUND LABEL [ENV...] : one engine run; appends its line to $OUT/runs.txt.
engine_run() {
  local c=$1 round=$2 label=$3; shift 3
  local dir="$OUT/engine-$label-$c-$round" pid self
  env "$@" $ENGINE run "$OUT/poll-$c.json" --target "$TARGET_URL" --output "$dir" --quiet >"$dir.log" 2>&1 &
  pid=$!
  measure "$pid" "engine" || { tail -n 20 "$dir.log" >&2; exit 1; }
  wait "$pid" || { echo "engine run failed:" >&2; tail -n 20 "$dir.log" >&2; exit 1; }
  self=$(bench_json "$dir/results.json" "round(d['scenarios'][0]['throughput']['requestsPerSecond'])")
  echo "$c $round engine-$label $SLICE_RESULT $self" >>"$OUT/runs.txt"
  echo "C=$c round $round engine ($label): $(slice_line "$SLICE_RESULT") | own figure $self req/s, $(bench_json "$dir/results.json" "'events {} lost {} errors {} p99(request) {:.2f} ms'.format(d['scenarios'][0]['throughput']['eventsDelivered'], d['scenarios'][0]['integrity']['lost'], d['scenarios'][0]['errors']['count'], d['scenarios'][0]['latency']['request']['p99Ms'])")"
}

wrk_run() {
  local c=$1 round=$2 pid self
  # 3 s beyond the engine's length: the slice is the same, but on a busy machine the sampler's curls can take the
  # last second of the run, and wrk (no process start, no connects before its clock) would end inside the slice.
  wrk -t2 -c"$c" -d$((WARMUP + DURATION + 3))s "$WRK_URL" >"$OUT/wrk-$c-$round.txt" &
  pid=$!
  measure "$pid" "wrk"
  wait "$pid"
  self=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-$c-$round.txt")
  echo "$c $round wrk $SLICE_RESULT $self" >>"$OUT/runs.txt"
  echo "C=$c round $round wrk -t2 -c$c:     $(slice_line "$SLICE_RESULT") | own figure $self req/s ($(grep -E 'Socket errors|Non-2xx' "$OUT/wrk-$c-$round.txt" | tr -s ' ' || echo 'no errors'))"
}

slice_line() {
  local f=($1)
  echo "${f[0]} req/s (target's count), ${f[1]} µs CPU per request, target ${f[2]} µs, others ${f[3]} cores"
}

: >"$OUT/runs.txt"
for c in "${CONNECTIONS[@]}"; do
  [[ -f scenarios/bench/poll-$c.json ]] || { echo "no scenario file scenarios/bench/poll-$c.json" >&2; exit 2; }
  bench_poll_plan "scenarios/bench/poll-$c.json" "$OUT/poll-$c.json" "$WARMUP" "$DURATION"
  # Warm the target (JIT, pools, the connections' first buffers) so that round 1's first tool does not pay for it.
  wrk -t2 -c"$c" -d3s "$WRK_URL" >/dev/null
  for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 == 1 )); then
      engine_run "$c" "$round" shipped
      wrk_run "$c" "$round"
    else
      wrk_run "$c" "$round"
      engine_run "$c" "$round" shipped
    fi
    if [[ $THREADPOOL == 1 ]]; then
      engine_run "$c" "$round" threadpool DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0
    fi
  done
done

bench_load_note
echo
echo "=== poll-vs-wrk: engine vs wrk -t2 on $WRK_URL, ${ROUNDS} rounds of ${WARMUP} s + ${DURATION} s (acceptance: ratio of means >= 1.0) ==="
python3 - "$OUT/runs.txt" <<'PY'
import statistics, sys
from collections import defaultdict
runs = defaultdict(lambda: defaultdict(dict))
for line in open(sys.argv[1]):
    c, rnd, tool, rps, tool_us, target_us, others, own = line.split()
    runs[int(c)][tool][int(rnd)] = (float(rps), float(tool_us), float(target_us), float(others), float(own))
for c, tools in runs.items():
    wrk = tools["wrk"]
    mean = lambda xs: statistics.mean(xs)
    w = [wrk[r][0] for r in sorted(wrk)]
    print(f"C={c}: wrk -t2 mean {mean(w):.0f} req/s {[round(x) for x in w]}, "
          f"{mean(wrk[r][1] for r in wrk):.2f} µs CPU per request, target {mean(wrk[r][2] for r in wrk):.2f} µs")
    for tool, byround in tools.items():
        if tool == "wrk":
            continue
        e = [byround[r][0] for r in sorted(byround)]
        pairs = [byround[r][0] / wrk[r][0] for r in sorted(byround) if r in wrk]
        own = mean(v[4] for v in byround.values()) / mean(v[4] for v in wrk.values())
        print(f"  {tool}: mean {mean(e):.0f} req/s {[round(x) for x in e]} -> ratio of means {mean(e) / mean(w):.3f} "
              f"(per round {', '.join(f'{p:.2f}' for p in pairs)}; median {statistics.median(pairs):.2f}); "
              f"{mean(v[1] for v in byround.values()):.2f} µs CPU per request, target {mean(v[2] for v in byround.values()):.2f} µs; "
              f"by each tool's own figure {own:.3f}")
    print(f"  others on the machine during the slices: {min(v[3] for t in tools.values() for v in t.values()):.2f}"
          f"–{max(v[3] for t in tools.values() for v in t.values()):.2f} cores")
PY
echo "raw output: $OUT"
