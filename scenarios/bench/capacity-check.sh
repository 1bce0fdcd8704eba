#!/usr/bin/env bash
# Honesty check for `loadbench plan` (issue 11): project from a small run to a run 8× larger, then measure the
# larger run and compare. At 1 event/s of 256 B: 1,000 SSE and 1,000 WebSocket subscribers projected to 8,000,
# and 100 short-polling clients (every second) projected to 800. Compared per transport: target CPU per second
# (server.cpuMs ÷ durationSeconds) and retained memory for the connections (retained heap with clients − before);
# each must agree within ±25 % (PASS/FAIL per figure, and a verdict). Memory is judged with its resolution (how far
# the retained heap moved over the idle scenario, no client at all; scenarios/bench/capacity_memory.py): a growth
# below it is printed as "< R", never as a ratio against 0, and a projection from a growth under 4 R is an interval
# that the measured growth must lie in (docs/capacity.md, "Memory resolution").
#
# The model (docs/capacity.md): target CPU = idle + slope × load, the idle cost measured by the small run's
# last scenario, with no clients ("idle", 30 s, after everything else so background JIT work is done), the slope through it and the transport's 1,000 (100) client run; load is
# deliveries/s (requests/s for short polling). Both runs start with a throwaway scenario per transport, so JIT
# and heap growth land in neither the small nor the big figures.
#
#   scenarios/bench/capacity-check.sh                          # the full check: about 8 minutes
#   MEASURED=10s WARMUP=5s IDLE=10s SCALE=0.25 scenarios/bench/capacity-check.sh   # a quick proof that it works
#   TRANSPORTS=poll scenarios/bench/capacity-check.sh         # short polling alone (its warm-up, its run, idle): ~3 min
#
# MEASURED, WARMUP and IDLE shorten the measured phase, the warm-up and the idle scenario; SCALE multiplies every
# client count (the projection then goes to 8000 × SCALE and 800 × SCALE); TRANSPORTS (space-separated: sse ws poll)
# keeps only those transports' scenarios (and the idle one). Figures from a shortened run are not the
# check: only the full one is. Each run is one `loadbench run` that starts its own target; its scenarios run one
# after another, so the engine holds at most 8,000 connections at once (below this machine's 20,000 open files).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

# The memory rule's hand-computed cases first: a broken rule must not judge a 9-minute run.
python3 scenarios/bench/capacity_memory.py --self-test

OUT=$(mktemp -d /tmp/capacity-check.XXXXXX)
echo "open-file limit of this shell (the target and engine inherit it): $(ulimit -Sn) soft / $(ulimit -Hn) hard"
bench_build
bench_load_note

# The scenario files as run: the repository's, or shortened/scaled copies when asked.
for size in small big; do
  python3 - "scenarios/bench/capacity-$size.json" "$OUT/capacity-$size.json" "${MEASURED:-}" "${WARMUP:-}" "${IDLE:-}" "${SCALE:-1}" "${TRANSPORTS:-sse ws poll}" <<'PY'
import json, sys
src, dst, measured, warmup, idle, scale, transports = sys.argv[1:]
plan = json.load(open(src))
plan.pop("$schema", None)
keep = set(transports.split())
plan["scenarios"] = [s for s in plan["scenarios"] if s["transport"] in keep or s["load"][0]["copies"] == 0]
for s in plan["scenarios"]:
    step = s["load"][0]
    is_idle = step["copies"] == 0
    if not s["name"].startswith("warm_"):
        if is_idle and idle: step["during"] = idle
        if not is_idle and measured: step["during"] = measured
        if warmup: s["warmUp"] = warmup
    step["copies"] = round(step["copies"] * float(scale))
json.dump(plan, open(dst, "w"), indent=2)
PY
done

for size in small big; do
  echo "running capacity-$size.json …"
  $ENGINE run "$OUT/capacity-$size.json" --output "$OUT/$size" --quiet >"$OUT/$size.log" 2>&1 || {
    echo "the $size run failed (exit $?); its log:" >&2; tail -n 30 "$OUT/$size.log" >&2; exit 1; }
  bench_load_note
done

# The projection sizes are the big run's client counts: 8,000 streaming, 800 polling (× SCALE).
read -r STREAM POLL < <(python3 -c '
import json, sys
s = {x["transport"]: x["clients"] for x in json.load(open(sys.argv[1]))["scenarios"] if not x["name"].startswith("warm_")}
print(s.get("sse", s.get("ws", 0)), s.get("poll", 0))' "$OUT/big/results.json")
for n in $(printf '%s\n' "$STREAM" "$POLL" | grep -vx 0 | sort -u); do
  $ENGINE plan "$OUT/small/results.json" --subscribers "$n" --rate 1 --payload-bytes 256 --poll-interval 1s --output "$OUT/plan-$n" >"$OUT/plan-$n.log"
done
echo
SHOWN=$([ "$STREAM" != 0 ] && echo "$STREAM" || echo "$POLL")
echo "=== loadbench plan $OUT/small/results.json --subscribers $SHOWN --rate 1 --payload-bytes 256 --poll-interval 1s ==="
cat "$OUT/plan-$SHOWN/plan.txt"

PYTHONPATH=scenarios/bench python3 - "$OUT" "$STREAM" "$POLL" <<'PY'
import json, os, sys
from capacity_memory import judge
out, stream, poll = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def scenarios(size):
    return [s for s in json.load(open(os.path.join(out, size, "results.json")))["scenarios"] if not s["name"].startswith("warm_")]
def largest(size):  # per transport, the one with the most clients (of equal counts, the longest poll interval)
    return {s["transport"]: s for s in sorted(scenarios(size), key=lambda s: (s["clients"], s.get("pollIntervalMs") or 0)) if s["clients"] > 0}
small, big = largest("small"), largest("big")
plans = {n: {p["transport"]: p for p in json.load(open(os.path.join(out, f"plan-{n}", "plan.json")))} for n in {stream, poll} - {0}}
cpu = lambda s: s["server"]["cpuMs"] / s["durationSeconds"]
def heap(s):  # both retained-heap readings, so a moved baseline shows in the record
    v = s["server"]
    if v.get("retainedHeapBytesBefore") is None or v.get("retainedHeapBytesWithClients") is None:
        return ""
    return (f", retained heap {v['retainedHeapBytesBefore'] / 2**20:.2f} → {v['retainedHeapBytesWithClients'] / 2**20:.2f} MiB"
            + (f" ({v['kibPerConnection']:.2f} KiB/connection)" if s["clients"] > 0 and v.get("kibPerConnection") is not None else ""))
idle = [s for s in scenarios("small") if s["clients"] == 0]
if idle:
    print(f"\nidle target (scenario '{idle[0]['name']}', no clients, {idle[0]['durationSeconds']:.0f} s): {cpu(idle[0]):.2f} ms/s")
print()
print("=== capacity-check: projected (from the small run) vs measured (the big run), target only; ratio = measured ÷ projected ===")
print(f"{'transport':>9} {'from':>5} {'to':>5}  {'model':<34} {'CPU ms/s proj':>13} {'meas':>7} {'ratio':>6} {'':4}  {'MiB proj':>18} {'meas':>9} {'ratio':>6} {'':4}  lost")
ok = True
whys = []
for t, n in (("sse", stream), ("ws", stream), ("poll", poll)):
    if t not in big or t not in small or n == 0:
        continue
    p, s, b = plans[n][t], small[t], big[t]
    cpu_p, cpu_m = p["targetCpuMsPerSecond"], cpu(b)
    srv = b["server"]
    # The raw difference: a negative growth (the baseline fell during the run) is kept and said, never clamped to 0.
    if srv.get("retainedHeapBytesWithClients") is not None and srv.get("retainedHeapBytesBefore") is not None:
        mem_m = srv["retainedHeapBytesWithClients"] - srv["retainedHeapBytesBefore"]
    else:
        mem_m = (srv.get("kibPerConnection") or 0) * 1024 * b["clients"]
    rc = cpu_m / cpu_p
    pc = abs(rc - 1) <= 0.25
    pm, mem_proj, mem_meas, mem_ratio, why = judge(p, mem_m)
    ok &= pc and pm
    whys.append(f"{t} memory: {why}")
    unit = "request" if t == "poll" else "delivery"
    model = (f"{p['cpuFixedMsPerSecond']:.2f} ms/s + {p['cpuMsPerLoadUnit'] * 1000:.1f} ms/1000 {unit[:3]}"
             if p.get("cpuFixedMsPerSecond") is not None else "through zero")
    print(f"{t:>9} {s['clients']:>5} {b['clients']:>5}  {model:<34} {cpu_p:>13.1f} {cpu_m:>7.1f} {rc:>6.2f} {'PASS' if pc else 'FAIL':4}"
          f"  {mem_proj:>18} {mem_meas:>9} {mem_ratio:>6} {'PASS' if pm else 'FAIL':4}  {b['integrity']['lost']}")
    if p.get("cpuFitNote"):
        print(f"{'':>9} note: {p['cpuFitNote']}")
res = next((p for ps in plans.values() for p in ps.values() if p.get("memoryResolutionBytes") is not None), None)
if res:
    print(f"memory resolution: the retained heap moved {res['memoryResolutionBytes'] / 2**20:.2f} MiB over '{res['memoryResolutionFrom']}' "
          "with no client; a small-run growth under 4× that is projected as an interval (g ± resolution) × subscribers ÷ clients")
for line in whys:
    print(line)
print("small run, for the record: " + "; ".join(
    f"{s['name']} {s['clients']} clients: CPU {cpu(s):.1f} ms/s" + heap(s) for s in scenarios("small")))
print("big run: " + "; ".join(
    f"{s['name']} {s['clients']} clients: CPU {cpu(s):.1f} ms/s" + heap(s) for s in big.values()))
print("verdict (±25 % on CPU and memory, every transport):", "PASS" if ok else "FAIL")
print(f"raw output: {out}")
PY
