#!/usr/bin/env bash
# Honesty check for `loadbench plan` (issue 11): project from a small run to a run 8× larger, then measure the
# larger run and compare. At 1 event/s of 256 B: 1,000 SSE and 1,000 WebSocket subscribers projected to 8,000,
# and 100 short-polling clients (every second) projected to 800. The small run also measures half as many clients
# (500 / 500 / 50) so the plan can fit the target's fixed CPU cost plus a slope (docs/capacity.md). Compared: target CPU per second
# (server.cpuMs ÷ durationSeconds) and retained memory for the connections (retained heap with clients − before);
# they should agree within ±25 %.
#
#   scenarios/bench/capacity-check.sh        # about 7-8 minutes: a run of six scenarios, then one of three (15 s warm-up, 30 s measured)
#
# Each run is one `loadbench run` that starts its own target; its scenarios run one after another, so the engine
# holds at most 8,000 connections at once (below this machine's 20,000 open files per process, like
# fanout-16k.sh's halves). The projection is `loadbench plan small/results.json --subscribers 8000 (and 800)
# --rate 1 --payload-bytes 256 --poll-interval 1s`, read from its plan.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

OUT=$(mktemp -d /tmp/capacity-check.XXXXXX)
echo "open-file limit of this shell (the target and engine inherit it): $(ulimit -Sn) soft / $(ulimit -Hn) hard"
bench_build
bench_load_note

for size in small big; do
  echo "running capacity-$size.json …"
  $ENGINE run "scenarios/bench/capacity-$size.json" --output "$OUT/$size" --quiet >"$OUT/$size.log" 2>&1 || {
    echo "the $size run failed (exit $?); its log:" >&2; tail -n 30 "$OUT/$size.log" >&2; exit 1; }
  bench_load_note
done

for n in 8000 800; do
  $ENGINE plan "$OUT/small/results.json" --subscribers "$n" --rate 1 --payload-bytes 256 --poll-interval 1s --output "$OUT/plan-$n" >"$OUT/plan-$n.log"
done
echo
echo "=== loadbench plan $OUT/small/results.json --subscribers 8000 --rate 1 --payload-bytes 256 --poll-interval 1s ==="
sed -n '1,8p' "$OUT/plan-8000/plan.txt"

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
def all_scenarios(size):
    return json.load(open(os.path.join(out, size, "results.json")))["scenarios"]
def scenarios(size):  # per transport, the one with the most clients
    return {s["transport"]: s for s in sorted(all_scenarios(size), key=lambda s: s["clients"])}
small, big = scenarios("small"), scenarios("big")
plans = {n: {p["transport"]: p for p in json.load(open(os.path.join(out, f"plan-{n}", "plan.json")))} for n in (8000, 800)}
print()
print("=== capacity-check: projected (from the small run) vs measured (the big run), target only ===")
print(f"{'transport':>9} {'from':>6} {'to':>6}  {'CPU ms/s projected':>18} {'measured':>9} {'diff':>7}  {'retained MiB projected':>22} {'measured':>9} {'diff':>7}  events/s  lost")
ok = True
for t, n in (("sse", 8000), ("ws", 8000), ("poll", 800)):
    p, s, b = plans[n][t], small[t], big[t]
    cpu_p = p["targetCpuMsPerSecond"]
    cpu_m = b["server"]["cpuMs"] / b["durationSeconds"]
    srv = b["server"]
    if srv.get("retainedHeapBytesWithClients") is not None and srv.get("retainedHeapBytesBefore") is not None:
        mem_m = max(0, srv["retainedHeapBytesWithClients"] - srv["retainedHeapBytesBefore"])
    else:
        mem_m = srv["kibPerConnection"] * 1024 * b["clients"]
    mem_p = p["retainedMemoryBytes"]
    dc, dm = cpu_m / cpu_p - 1, mem_m / mem_p - 1
    ok &= abs(dc) <= 0.25 and abs(dm) <= 0.25
    print(f"{t:>9} {s['clients']:>6} {b['clients']:>6}  {cpu_p:>18.1f} {cpu_m:>9.1f} {dc:>+7.1%}  {mem_p / 2**20:>22.1f} {mem_m / 2**20:>9.1f} {dm:>+7.1%}"
          f"  {b['throughput']['eventsPerSecond']:>8.0f}  {b['integrity']['lost']}")
print("small run, for the record: " + "; ".join(
    f"{t} {s['clients']} clients: CPU {s['server']['cpuMs'] / s['durationSeconds']:.1f} ms/s, {s['server']['kibPerConnection']:.2f} KiB/connection"
    for s in all_scenarios("small") for t in [s["transport"]]))
print("big run: " + "; ".join(
    f"{t} {s['clients']} clients: {s['server']['kibPerConnection']:.2f} KiB/connection"
    for t, s in big.items()))
print("verdict (±25 % on both):", "AGREE" if ok else "DISAGREE")
print(f"raw output: {out}")
PY
