#!/usr/bin/env bash
# Past one process (issue 10): 45,000 subscribers — half SSE, half WebSocket — through nginx in front of a publisher's
# 3 replicas over NATS JetStream, carried by load agents, one event every 5 s, 60 s measured; 30 s into the measured
# phase one replica is killed (SIGKILL) and its subscribers must reconnect through nginx to the others and resume
# from their cursors with nothing lost.
#
#   scenarios/bench/scaleout-45k.sh
#   SUBSCRIBERS=9000 scenarios/bench/scaleout-45k.sh      # smaller, for a quick look (half SSE, half WebSocket)
#
# Needs the load agents ('loadbench agent', 'loadbench run --nats URL --agents N'). Each half is its own coordinated
# run (a scenario names one transport) with its own 3 agents; both start together. nginx runs 6 workers (each
# proxied subscriber is two descriptors there: 7,500 per worker at 45,000); the 3 replicas hold 15,000 each, 22,500
# after the kill — past 20,000 open files only if nginx's least_conn balances badly, which the script reports.
# The publisher serves no subscriber: it is the control address (settings, info, clock, /stats).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

SUBSCRIBERS=${SUBSCRIBERS:-45000}
HALF=$((SUBSCRIBERS / 2))
OUT=$(mktemp -d /tmp/scaleout-45k.XXXXXX)
echo "open-file limit of this shell (every process here inherits it): $(ulimit -Sn) soft / $(ulimit -Hn) hard"

bench_build
PIDS=()
trap 'bench_stop ${NGINX_PID:-} "${PIDS[@]}" ${NATS_PID:-}' EXIT
for t in sse ws; do
  sed "s/\"copies\": 22500/\"copies\": $HALF/" "scenarios/bench/scaleout-45k-$t.json" >"$OUT/scaleout-$t.json"
done

bench_start_nats "$OUT/nats"
bench_start_target "$OUT/publisher.log" --rate 0 --payload-bytes 256 --publish-to "$NATS_URL"
PIDS+=("$TARGET_PID"); PUBLISHER_URL=$TARGET_URL; PUBLISHER_PID=$TARGET_PID
REPLICA_URLS=(); REPLICA_PIDS=()
for i in 1 2 3; do
  bench_start_target "$OUT/replica-$i.log" --follow "$NATS_URL"
  PIDS+=("$TARGET_PID"); REPLICA_URLS+=("$TARGET_URL"); REPLICA_PIDS+=("$TARGET_PID")
done
bench_start_nginx "$OUT/nginx" 6 "${REPLICA_URLS[@]#http://}"

# Six agents, three per half; each spreads its connections over its own loopback source addresses, so no
# source address runs out of its 28,232 ephemeral ports towards nginx.
for i in 1 2 3 4 5 6; do
  $ENGINE agent --nats "$NATS_URL" --name "agent-$i" --source-address "127.0.$i.1" --source-address "127.0.$i.2" \
    >"$OUT/agent-$i.log" 2>&1 &
  PIDS+=($!)
done
bench_load_note

STATS=()
for u in "${REPLICA_URLS[@]}"; do STATS+=(--stats-url "$u"); done
COORDINATORS=()
for t in sse ws; do
  $ENGINE run "$OUT/scaleout-$t.json" --nats "$NATS_URL" --agents 3 --target "$NGINX_URL" --control-url "$PUBLISHER_URL" \
    "${STATS[@]}" --stats-pid "$NGINX_PID" --output "$OUT/$t" --quiet >"$OUT/$t.log" 2>&1 &
  COORDINATORS+=($!)
done
started=$(date +%s)

# Once a second: every process's CPU ticks and RSS (publisher, replicas, nginx master and workers, nats-server).
{
  echo "t publisher_ticks publisher_kib r1_ticks r1_kib r2_ticks r2_kib r3_ticks r3_kib nginx_ticks nginx_kib nats_ticks nats_kib"
  while kill -0 "${COORDINATORS[0]}" 2>/dev/null || kill -0 "${COORDINATORS[1]}" 2>/dev/null; do
    row="$(( $(date +%s) - started ))"
    for pid in "$PUBLISHER_PID" "${REPLICA_PIDS[@]}"; do
      row+=" $(bench_cpu_ticks "$pid" 2>/dev/null || echo 0) $(bench_rss_kib "$pid" 2>/dev/null || echo 0)"
    done
    ticks=0; kib=0
    for pid in "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); do
      ticks=$((ticks + $(bench_cpu_ticks "$pid" 2>/dev/null || echo 0))); kib=$((kib + $(bench_rss_kib "$pid" 2>/dev/null || echo 0)))
    done
    row+=" $ticks $kib $(bench_cpu_ticks "$NATS_PID") $(bench_rss_kib "$NATS_PID")"
    echo "$row"
    sleep 1
  done
} >"$OUT/samples.txt" &
SAMPLER=$!

# The cut: 30 s into the measured phase (after the 20 s warm-up, and the agents' start), replica 1 dies.
sleep 50
echo "killing replica 1 (pid ${REPLICA_PIDS[0]}) at t=$(( $(date +%s) - started )) s"
kill -9 "${REPLICA_PIDS[0]}"

status=0
wait "${COORDINATORS[0]}" || status=$?
wait "${COORDINATORS[1]}" || status=$?
wait "$SAMPLER" || true
[[ $status -eq 0 ]] || { echo "a coordinated run failed (exit $status):" >&2; tail -n 20 "$OUT/sse.log" "$OUT/ws.log" >&2; }

python3 - "$OUT" "$(getconf CLK_TCK)" <<'PY'
import json, os, sys
out, hz = sys.argv[1], int(sys.argv[2])
print("\n=== scaleout-45k: SSE + WebSocket through nginx to 3 replicas, one killed at 30 s ===")
for t in ("sse", "ws"):
    path = os.path.join(out, t, "results.json")
    if not os.path.exists(path):
        print(f"{t}: no results.json (see {out}/{t}.log)"); continue
    s = json.load(open(path))["scenarios"][0]
    lat, integ = s["latency"]["event"], s["integrity"]
    print(f"{t:>3}: clients {s['clients']}, delivered {s['throughput']['eventsDelivered']}, lost {integ['lost']}, "
          f"duplicates {integ['duplicates']}, reconnects {integ['reconnects']}, p50 {lat['p50Ms']:.1f} ms, p99 {lat['p99Ms']:.1f} ms, "
          f"events sent by the targets {s.get('serverBytes', {}).get('events')}")
    # Around the cut: p50/p99 of each second (the engine does not yet time each subscriber's recovery on its own).
    for point in s["timeSeries"]:
        if 27 <= point["t"] <= 40:
            print(f"      t={point['t']:5.1f} s  clients {point['clients']}  p50 {point['p50Ms']:.1f} ms  p99 {point['p99Ms']:.1f} ms")
rows = [l.split() for l in open(os.path.join(out, "samples.txt")).read().splitlines()[1:]]
names = ["publisher", "replica 1", "replica 2", "replica 3", "nginx", "nats-server"]
if len(rows) >= 2:
    secs = max(1, int(rows[-1][0]) - int(rows[0][0]))
    for i, name in enumerate(names):
        # The largest reading, not the last: the killed replica reads 0 once it is gone.
        cpu = (max(int(r[1 + 2 * i]) for r in rows) - int(rows[0][1 + 2 * i])) / hz
        peak = max(int(r[2 + 2 * i]) for r in rows) / 1024
        print(f"{name:>12}: CPU {cpu:.1f} s = {cpu / secs:.2f} cores over {secs} s, peak RSS {peak:.0f} MiB")
PY
echo "logs and results: $OUT"
