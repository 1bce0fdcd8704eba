#!/usr/bin/env bash
# Soak (issue 12, "The engine loses nothing either"): the four transports at once, at a moderate load, for 10
# minutes against one target. Does the memory of the target or of the engine keep growing, and is anything lost?
#
#   scenarios/bench/soak.sh                      # the full soak: 600 s measured (about 11 minutes in all)
#   DURATION=120 scenarios/bench/soak.sh         # a short check that the script works (about 2.5 minutes)
#
# One target (Release, started here on a free loopback port) and four `loadbench run --target` processes, one per
# transport (a scenario names one transport): CLIENTS clients each (default 200) at RATE events/s (default 10) of
# PAYLOAD bytes (default 256), short polling every POLL_INTERVAL (default 1s). Every SAMPLE seconds (default 10) it
# records the target's resident memory (RSS, /proc) and managed heap after a full collection (GET /stats?gc=true:
# what the target really retains, without the garbage sawtooth), and each engine's RSS.
#
# It prints the trend over the last TREND seconds (default: the last 8 minutes, or 4/5 of a shorter run, so
# the warm-up's growth is left out): the least-squares slope of each series in KiB/min, against the bounds
# HEAP_BOUND (default 64 KiB/min, target managed heap) and RSS_BOUND (default 1024 KiB/min, every RSS — RSS
# moves in whole pages and with the allocator's own caching, so its bound is looser), and from each engine's
# results.json whether anything was lost, duplicated or reordered. Last line: PASS or FAIL. The engines' managed
# heaps are not sampled (no route reads them from outside); their RSS carries the same signal.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

DURATION=${DURATION:-600}
SAMPLE=${SAMPLE:-10}
CLIENTS=${CLIENTS:-200}
RATE=${RATE:-10}
PAYLOAD=${PAYLOAD:-256}
POLL_INTERVAL=${POLL_INTERVAL:-1s}
WARMUP=${WARMUP:-10}
RETENTION=${RETENTION:-1000}
TREND=${TREND:-$(( DURATION >= 600 ? 480 : DURATION * 4 / 5 ))}
HEAP_BOUND=${HEAP_BOUND:-64}
RSS_BOUND=${RSS_BOUND:-1024}
TRANSPORTS=(poll longpoll sse ws)
OUT=$(mktemp -d /tmp/soak.XXXXXX)
SAMPLES=$OUT/samples.csv

bench_build
bench_load_note
echo "soak: ${#TRANSPORTS[@]} transports x $CLIENTS clients, $RATE events/s of $PAYLOAD B, ${WARMUP}s warm-up + ${DURATION}s measured; sample every ${SAMPLE}s; trend over the last ${TREND}s; output $OUT"

# The ring keeps the last RETENTION events (default 1,000: full after 100 s at 10 events/s). With the target's
# default of 100,000 the ring would still be filling after 10 minutes (6,000 events, about 0.4 KiB each), and its
# growth would read as a leak in the heap's trend: a first soak saw +176 KiB/min, all of it events retained on purpose.
bench_start_target "$OUT/target.log" --rate 0 --retention "$RETENTION"
ENGINE_PIDS=()
cleanup() { bench_stop "${ENGINE_PIDS[@]}" "$TARGET_PID"; }
trap cleanup EXIT

for t in "${TRANSPORTS[@]}"; do
  cat >"$OUT/soak-$t.json" <<JSON
{
  "name": "soak_$t",
  "description": "soak.sh: $CLIENTS $t clients for ${DURATION}s at $RATE events/s.",
  "scenarios": [
    {
      "name": "soak_${t}_$CLIENTS",
      "transport": "$t",
      "pollInterval": "$POLL_INTERVAL",
      "warmUp": "${WARMUP}s",
      "feed": { "ratePerSecond": $RATE, "payloadBytes": $PAYLOAD },
      "load": [ { "model": "KeepConstant", "copies": $CLIENTS, "during": "${DURATION}s" } ]
    }
  ]
}
JSON
  $ENGINE run "$OUT/soak-$t.json" --target "$TARGET_URL" --output "$OUT/$t" --quiet >"$OUT/engine-$t.log" 2>&1 &
  ENGINE_PIDS+=($!)
done
echo "engines: ${TRANSPORTS[*]} = pids ${ENGINE_PIDS[*]}"

# t_s, target RSS KiB, target heap KiB (after a full collection), then one RSS KiB per engine (empty once it ended).
echo "t_s,target_rss_kib,target_heap_kib,$(IFS=,; echo "${TRANSPORTS[*]/%/_engine_rss_kib}")" >"$SAMPLES"
start=$(date +%s)
limit=$(( DURATION + WARMUP + 120 ))   # every engine ends by then (start, warm-ups, drain, writing), or the soak failed
while :; do
  now=$(( $(date +%s) - start ))
  alive=0; row=""
  for pid in "${ENGINE_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then alive=$((alive + 1)); row+=",$(bench_rss_kib "$pid" 2>/dev/null || true)"; else row+=","; fi
  done
  (( alive == 0 )) && break
  heap=$(curl -sf --max-time 5 "$TARGET_URL/stats?gc=true" | python3 -c 'import json,sys; print(json.load(sys.stdin)["process"]["managedHeapBytes"] // 1024)' || echo "")
  echo "$now,$(bench_rss_kib "$TARGET_PID"),$heap$row" >>"$SAMPLES"
  if (( now > limit )); then
    echo "FAIL: the engines were still running ${limit}s after the start" >&2
    exit 1
  fi
  sleep "$SAMPLE"
done

status=0
for i in "${!TRANSPORTS[@]}"; do
  wait "${ENGINE_PIDS[$i]}" || { code=$?; echo "engine ${TRANSPORTS[$i]}: loadbench exit code $code (log $OUT/engine-${TRANSPORTS[$i]}.log)"; status=1; }
done
bench_load_note

python3 - "$SAMPLES" "$OUT" "$WARMUP" "$DURATION" "$TREND" "$HEAP_BOUND" "$RSS_BOUND" "$status" "${TRANSPORTS[@]}" <<'PY'
import csv, json, sys
samples, out, warmup, duration, trend, heap_bound, rss_bound, status = sys.argv[1:9]
transports = sys.argv[9:]
warmup, duration, trend = int(warmup), int(duration), int(trend)
heap_bound, rss_bound = float(heap_bound), float(rss_bound)
rows = list(csv.DictReader(open(samples)))
# The trend window ends when the measured phase ends (the engines then drain and stop); it starts TREND s before.
end = warmup + duration
begin = end - trend

def slope(points):
    """Least-squares slope of (t seconds, KiB) points, in KiB per minute."""
    n = len(points)
    if n < 3:
        return None
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    return None if var == 0 else 60 * sum((t - mt) * (v - mv) for t, v in points) / var

ok = status == "0"
print(f"\nmemory trend over t = {begin}..{end} s ({trend} s; samples in {samples}):")
print(f"  {'series':<28} {'first KiB':>10} {'last KiB':>10} {'slope KiB/min':>14} {'bound':>8}")
series = [("target_rss_kib", "target RSS", rss_bound), ("target_heap_kib", "target managed heap (after GC)", heap_bound)]
series += [(f"{t}_engine_rss_kib", f"engine RSS ({t})", rss_bound) for t in transports]
for column, label, bound in series:
    points = [(int(r["t_s"]), float(r[column])) for r in rows if r.get(column) and begin <= int(r["t_s"]) <= end]
    s = slope(points)
    verdict = "n/a" if s is None else ("ok" if s <= bound else "GROWS")
    if s is not None and s > bound:
        ok = False
    first = f"{points[0][1]:.0f}" if points else "-"
    last = f"{points[-1][1]:.0f}" if points else "-"
    print(f"  {label:<28} {first:>10} {last:>10} {'-' if s is None else f'{s:+.1f}':>14} {bound:>8.0f}  {verdict}")

print("\nintegrity (each engine's results.json):")
for t in transports:
    try:
        d = json.load(open(f"{out}/{t}/results.json"))
    except OSError:
        print(f"  {t}: no results.json"); ok = False; continue
    s = d["scenarios"][0]
    i, e = s["integrity"], s["errors"]
    bad = i["lost"] or i["duplicates"] or i["reorders"] or d.get("incomplete") or s["throughput"]["eventsDelivered"] == 0
    ok = ok and not bad
    print(f"  {t:<9} delivered {s['throughput']['eventsDelivered']:>10,}  lost {i['lost']}  duplicates {i['duplicates']}  reorders {i['reorders']}  "
          f"reconnects {i['reconnects']}  errors {e['count']} {dict(e['byKind'])}  p99 {s['latency']['event']['p99Ms']:.1f} ms"
          + (f"  INCOMPLETE: {d['incomplete']['reason']}" if d.get("incomplete") else ""))
print("\nPASS" if ok else "\nFAIL")
sys.exit(0 if ok else 1)
PY
