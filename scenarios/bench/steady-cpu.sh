#!/usr/bin/env bash
# Steady-state CPU of one engine and one target at a slow feed (issue 10's scale-out benchmark: one event every 5 s
# to thousands of idle subscribers): what each process spends per second, and per delivery, once every client is
# connected and nothing but the feed happens. An agent of 7,500 clients at 0.2 events/s delivers 1,500 events/s; at
# the engine's usual ~13 µs per delivery that is 2 % of a core, and anything far above it is a cost that does not
# scale with events (timers, per-second work per client, polling loops, GC).
#
#   scenarios/bench/steady-cpu.sh                          # 7,500 SSE clients, then 7,500 WebSocket clients
#   CLIENTS=2000 TRANSPORTS=sse scenarios/bench/steady-cpu.sh
#
# Prints, per transport: the engine's and the target's CPU (cores) over a WINDOW-second slice of the measured phase,
# their µs of CPU per delivery, and the deliveries in that slice (the target's own eventsSent, from /stats).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

CLIENTS=${CLIENTS:-7500}
TRANSPORTS=${TRANSPORTS:-"sse ws"}
RATE=${RATE:-0.2}
WARMUP=${WARMUP:-35}
WINDOW=${WINDOW:-20}
OUT=$(mktemp -d /tmp/steady-cpu.XXXXXX)
bench_build
bench_load_note
HZ=$(getconf CLK_TCK)
PIDS=()
trap 'bench_stop "${PIDS[@]}"' EXIT

sent() { curl -sf "$1/stats" | python3 -c "import json,sys; d=json.load(sys.stdin); print(sum(t['eventsSent'] for t in d['transports'].values()))"; }

for t in $TRANSPORTS; do
  python3 - "$OUT/$t.json" "$t" "$CLIENTS" "$RATE" "$WARMUP" "$WINDOW" <<'PY'
import json, sys
dst, t, n, rate, warm, window = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5], int(sys.argv[6])
plan = {"name": f"steady_cpu_{t}", "scenarios": [{"name": f"{t}_{n}", "transport": t, "warmUp": f"{warm}s",
        "feed": {"ratePerSecond": rate, "payloadBytes": 256},
        "load": [{"model": "KeepConstant", "copies": n, "during": f"{window + 10}s"}]}]}
json.dump(plan, open(dst, "w"))
PY
  bench_start_target "$OUT/target-$t.log"
  PIDS+=("$TARGET_PID")
  $ENGINE run "$OUT/$t.json" --target "$TARGET_URL" --quiet --output "$OUT/results-$t" >"$OUT/engine-$t.log" 2>&1 &
  ENGINE_PID=$!
  PIDS+=("$ENGINE_PID")
  sleep $((WARMUP + 5))
  kill -0 "$ENGINE_PID" 2>/dev/null || { echo "the engine ended early:" >&2; cat "$OUT/engine-$t.log" >&2; exit 1; }
  # The engine runs as `dotnet loadbench.dll`: its pid is the one we started (env execs dotnet).
  e0=$(bench_cpu_ticks "$ENGINE_PID"); t0=$(bench_cpu_ticks "$TARGET_PID"); s0=$(sent "$TARGET_URL"); w0=$(date +%s.%N)
  sleep "$WINDOW"
  e1=$(bench_cpu_ticks "$ENGINE_PID"); t1=$(bench_cpu_ticks "$TARGET_PID"); s1=$(sent "$TARGET_URL"); w1=$(date +%s.%N)
  python3 - "$t" "$CLIENTS" "$HZ" "$e0" "$e1" "$t0" "$t1" "$s0" "$s1" "$w0" "$w1" <<'PY'
import sys
t, n, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
e0, e1, t0, t1, s0, s1 = map(int, sys.argv[4:10])
w = float(sys.argv[11]) - float(sys.argv[10])
d = s1 - s0
for name, a, b in (("engine", e0, e1), ("target", t0, t1)):
    cpu = (b - a) / hz
    per = f"{cpu / d * 1e6:.0f} µs per delivery" if d else "no deliveries"
    print(f"{t} {n} clients: {name} {cpu / w:.3f} cores over {w:.1f} s, {per}")
print(f"{t} {n} clients: {d} deliveries in the window ({d / w:.0f}/s)")
PY
  wait "$ENGINE_PID" || echo "engine exit $? ($OUT/engine-$t.log)"
  bench_stop "$TARGET_PID"
done
echo "logs and results: $OUT"
