#!/usr/bin/env bash
# Past one process (issue 10): 45,000 subscribers — half SSE, half WebSocket — through nginx in front of a publisher's
# 3 replicas over NATS JetStream, carried by load agents, one event every 5 s, 60 s measured; 30 s into the measured
# phase one replica is killed (SIGKILL) and its subscribers must reconnect through nginx to the others and resume
# from their cursors with nothing lost.
#
#   scenarios/bench/scaleout-45k.sh                                            # the full benchmark (a quiet machine)
#   SUBSCRIBERS=4500 WARMUP=10 MEASURED=40 scenarios/bench/scaleout-45k.sh     # a tenth of it, about 90 s
#
# Prints: whether every subscriber connected, lost and duplicated events, p50/p99 publish → receive, the time to
# recover of every cut subscriber (p50/p99 from the cut to the first event after it, from the engine's recovery
# histogram), the events the replicas sent against those the clients received, and each process's CPU and memory
# (publisher, replicas, nginx with its workers, nats-server, every agent and both coordinators).
#
# A scenario names one transport, so each half is its own coordinated run with its own 3 agents, started together.
# Each half's agents and coordinator meet on a NATS server of their own (a coordinator takes the first idle agents it
# sees, so on one server both would reach for the same three); the feed's stream is on the first. Both share the
# one publisher (--shared-feed): the script sets its rate and payload once, and neither coordinator pauses it — a
# coordinator otherwise pauses the feed while its agents connect and after its window, which would stop the other
# half's events.
# nginx runs 6 workers (each proxied subscriber is two descriptors there: 7,500 per worker at 45,000) in front of 4
# upstreams — the publisher and its 3 replicas — at about 11,250 subscribers each, 15,000 after one replica is killed:
# under each process's 20,000 open files (with 3 upstreams the survivors would need 22,500). The publisher is also the
# control address (settings, info, clock), which nginx does not expose.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

SUBSCRIBERS=${SUBSCRIBERS:-45000}
# The six agents share 2 cores with nginx, four targets and two coordinators: each opens at most CONNECT_RATE
# connections a second (1,200/s in all: 45,000 in under 40 s, inside the warm-up). At 2,000/s each (the default) the
# connect storm starved the agents' heartbeats and live agents were taken for lost at 30,000 and 45,000 subscribers.
CONNECT_RATE=${CONNECT_RATE:-200}
WARMUP=${WARMUP:-45}
MEASURED=${MEASURED:-60}
KILL_AT=${KILL_AT:-30}
HALF=$((SUBSCRIBERS / 2))
(( KILL_AT < MEASURED )) || { echo "KILL_AT ($KILL_AT s) must fall inside the measured phase (MEASURED=$MEASURED s)" >&2; exit 2; }
OUT=$(mktemp -d /tmp/scaleout-45k.XXXXXX)
echo "open-file limit of this shell (every process here inherits it): $(ulimit -Sn) soft / $(ulimit -Hn) hard"

bench_build
PIDS=()
trap 'bench_stop ${SAMPLER:-} ${NGINX_PID:-} "${PIDS[@]}" ${NATS_PID:-}' EXIT
for t in sse ws; do
  python3 - "scenarios/bench/scaleout-45k-$t.json" "$OUT/scaleout-$t.json" "$HALF" "$WARMUP" "$MEASURED" <<'PY'
import json, sys
src, dst, half, warm, measured = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
plan = json.load(open(src))
s = plan["scenarios"][0]
s["name"] = f"{s['transport']}_{half}"
s["warmUp"] = f"{warm}s"
s["load"][0]["copies"] = half
s["load"][0]["during"] = f"{measured}s"
json.dump(plan, open(dst, "w"), indent=2)
PY
done

# NAME PID lines: every process whose CPU and memory the script samples.
: >"$OUT/processes.txt"
bench_start_nats "$OUT/nats-ws"
echo "nats-server-ws $NATS_PID" >>"$OUT/processes.txt"
WS_NATS_URL=$NATS_URL; WS_NATS_PID=$NATS_PID; PIDS+=("$WS_NATS_PID")
bench_start_nats "$OUT/nats"
echo "nats-server $NATS_PID" >>"$OUT/processes.txt"
bench_start_target "$OUT/publisher.log" --rate 0.2 --payload-bytes 256 --publish-to "$NATS_URL"
PIDS+=("$TARGET_PID"); PUBLISHER_URL=$TARGET_URL
echo "publisher $TARGET_PID" >>"$OUT/processes.txt"
REPLICA_URLS=(); REPLICA_PIDS=()
for i in 1 2 3; do
  bench_start_target "$OUT/replica-$i.log" --follow "$NATS_URL"
  PIDS+=("$TARGET_PID"); REPLICA_URLS+=("$TARGET_URL"); REPLICA_PIDS+=("$TARGET_PID")
  echo "replica-$i $TARGET_PID" >>"$OUT/processes.txt"
done
bench_start_nginx "$OUT/nginx" 6 "${PUBLISHER_URL#http://}" "${REPLICA_URLS[@]#http://}"
echo "nginx $NGINX_PID" >>"$OUT/processes.txt"

# Six agents, three per half; each spreads its connections over its own loopback source addresses, so no
# source address runs out of its 28,232 ephemeral ports towards nginx.
for i in 1 2 3 4 5 6; do
  nats=$NATS_URL; (( i > 3 )) && nats=$WS_NATS_URL
  $ENGINE agent --nats "$nats" --name "agent-$i" --connect-rate "$CONNECT_RATE" --source-address "127.0.$i.1" --source-address "127.0.$i.2" \
    >"$OUT/agent-$i.log" 2>&1 &
  PIDS+=($!)
  echo "agent-$i $!" >>"$OUT/processes.txt"
done
for i in 1 2 3 4 5 6; do
  for _ in $(seq 1 300); do grep -q "waiting for a coordinator" "$OUT/agent-$i.log" && break; sleep 0.2; done
  grep -q "waiting for a coordinator" "$OUT/agent-$i.log" || { echo "agent-$i did not start:" >&2; cat "$OUT/agent-$i.log" >&2; exit 1; }
done
bench_load_note

# Once a second: every process's CPU ticks and RSS; nginx is its master and its workers together.
sample() {
  local started=$1 name pid ticks kib child
  while true; do
    while read -r name pid; do
      ticks=$(bench_cpu_ticks "$pid" 2>/dev/null || echo 0); kib=$(bench_rss_kib "$pid" 2>/dev/null || echo 0)
      if [[ $name == nginx ]]; then
        for child in $(pgrep -P "$pid" || true); do
          ticks=$((ticks + $(bench_cpu_ticks "$child" 2>/dev/null || echo 0))); kib=$((kib + $(bench_rss_kib "$child" 2>/dev/null || echo 0)))
        done
      fi
      echo "$(( $(date +%s) - started )) $name $ticks $kib"
    done <"$OUT/processes.txt"
    sleep 1
  done
}

STATS=()
for u in "$PUBLISHER_URL" "${REPLICA_URLS[@]}"; do STATS+=(--stats-url "$u"); done
COORDINATORS=()
started=$(date +%s)
sample "$started" >"$OUT/samples.txt" &
SAMPLER=$!
for t in sse ws; do
  nats=$NATS_URL; [[ $t == ws ]] && nats=$WS_NATS_URL
  $ENGINE run "$OUT/scaleout-$t.json" --nats "$nats" --agents 3 --target "$NGINX_URL" --control-url "$PUBLISHER_URL" \
    "${STATS[@]}" --stats-pid "$NGINX_PID" --shared-feed --output "$OUT/$t" >"$OUT/$t.log" 2>&1 &
  COORDINATORS+=($!)
  echo "coordinator-$t $!" >>"$OUT/processes.txt"
done

# The cut: KILL_AT s after both halves began their measured phases (each coordinator prints "measuring" as its
# begins); the one that began first is a little further into its window — both offsets are printed.
measuring_at() { grep -q ": measuring" "$OUT/$1.log" 2>/dev/null && echo "$(( $(date +%s) - started ))"; }
sse_at=""; ws_at=""
for _ in $(seq 1 3000); do
  [[ -z $sse_at ]] && sse_at=$(measuring_at sse || true)
  [[ -z $ws_at ]] && ws_at=$(measuring_at ws || true)
  [[ -n $sse_at && -n $ws_at ]] && break
  kill -0 "${COORDINATORS[0]}" 2>/dev/null && kill -0 "${COORDINATORS[1]}" 2>/dev/null || break
  sleep 0.2
done
echo "measuring from t=${sse_at:-?} s (SSE) and t=${ws_at:-?} s (WebSocket)"
sleep "$KILL_AT"
now=$(( $(date +%s) - started ))
echo "killing replica 1 (pid ${REPLICA_PIDS[0]}) at t=$now s: $(( now - ${sse_at:-0} )) s into the SSE half's measured phase, $(( now - ${ws_at:-0} )) s into the WebSocket half's"
kill -9 "${REPLICA_PIDS[0]}"

status=0
wait "${COORDINATORS[0]}" || status=$?
wait "${COORDINATORS[1]}" || status=$?
kill "$SAMPLER" 2>/dev/null || true
[[ $status -eq 0 ]] || { echo "a coordinated run failed (exit $status):" >&2; tail -n 20 "$OUT/sse.log" "$OUT/ws.log" >&2; }

python3 - "$OUT" "$(getconf CLK_TCK)" "$HALF" <<'PY'
import json, os, sys
from collections import defaultdict
out, hz, half = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
print(f"\n=== scaleout-45k: {2 * half} subscribers (SSE + WebSocket) through nginx to 3 replicas, one killed mid-window ===")
total_clients, total_lost, total_dup = 0, 0, 0
for t in ("sse", "ws"):
    path = os.path.join(out, t, "results.json")
    if not os.path.exists(path):
        print(f"{t}: no results.json (see {out}/{t}.log)"); continue
    doc = json.load(open(path))
    s = doc["scenarios"][0]
    lat, integ = s["latency"]["event"], s["integrity"]
    total_clients += s["clients"]; total_lost += integ["lost"]; total_dup += integ["duplicates"]
    sent = (s.get("serverBytes") or {}).get("events")
    print(f"{t:>3}: clients {s['clients']} of {half}, delivered {s['throughput']['eventsDelivered']}, lost {integ['lost']}, "
          f"duplicates {integ['duplicates']}, reconnects {integ['reconnects']}, errors {s['errors']['count']} {dict(s['errors']['byKind'])}")
    print(f"     publish → receive p50 {lat['p50Ms']:.1f} ms, p99 {lat['p99Ms']:.1f} ms; events the upstreams sent {sent}, "
          f"the clients received {s['bytes'].get('events')}")
    rec = s["latency"].get("recovery")
    if rec:
        print(f"     recovery of {rec['count']} cut subscribers (cut → first event after it): p50 {rec['p50Ms']:.0f} ms, p99 {rec['p99Ms']:.0f} ms, max {rec['maxMs']:.0f} ms")
    else:
        print("     recovery: no subscriber was cut (did the kill land inside the window?)")
    for a in s.get("agents") or []:
        print(f"     {a['name']}: {a['clients']} clients, {a['eventsDelivered']} events, clock offset {a['clockOffsetMs']:.3f} ± {a['clockUncertaintyMs']:.3f} ms")
    if doc.get("incomplete"):
        print(f"     INCOMPLETE: {doc['incomplete']['reason']}")
print(f"all connected: {'yes' if total_clients == 2 * half else 'NO'} ({total_clients} of {2 * half}); "
      f"lost {total_lost}, duplicated {total_dup}")

rows = defaultdict(list)
for line in open(os.path.join(out, "samples.txt")):
    parts = line.split()
    if len(parts) == 4:
        rows[parts[1]].append((int(parts[0]), int(parts[2]), int(parts[3])))
print("CPU and memory per process (CPU over its sampled life; the killed replica's stops at the kill):")
for name, samples in rows.items():
    live = [r for r in samples if r[2] > 0]
    if len(live) < 2:
        continue
    secs = max(1, live[-1][0] - live[0][0])
    cpu = (max(r[1] for r in live) - live[0][1]) / hz
    peak = max(r[2] for r in live) / 1024
    print(f"  {name:>16}: CPU {cpu:6.1f} s = {cpu / secs:4.2f} cores over {secs:3d} s, peak RSS {peak:6.0f} MiB")
PY
echo "logs and results: $OUT"
exit "$status"
