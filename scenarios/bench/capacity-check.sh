#!/usr/bin/env bash
# Honesty check for `loadbench plan` (issue 11): project from a small run to a run 8× larger, then measure the
# larger run and compare. At 1 event/s of 256 B: 1,000 SSE and 1,000 WebSocket subscribers projected to 8,000,
# and 100 short-polling clients (every second) projected to 800. Compared per transport: target CPU per second
# (server.cpuMs ÷ durationSeconds) and retained memory for the connections (retained heap with clients − before);
# each must agree within ±25 % (PASS/FAIL per figure, and a verdict).
#
# The model (docs/capacity.md): target CPU = idle + slope × load, the idle cost measured by the small run's
# last scenario, with no clients ("idle", 30 s, after everything else so background JIT work is done), the slope through it and the transport's 1,000 (100) client run; load is
# deliveries/s (requests/s for short polling). Both runs start with a throwaway scenario per transport, so JIT
# and heap growth land in neither the small nor the big figures.
#
#   scenarios/bench/capacity-check.sh                          # the full check: about 8 minutes
#   MEASURED=10s WARMUP=5s IDLE=10s SCALE=0.25 scenarios/bench/capacity-check.sh   # a quick proof that it works
#
# MEASURED, WARMUP and IDLE shorten the measured phase, the warm-up and the idle scenario; SCALE multiplies every
# client count (the projection then goes to 8000 × SCALE and 800 × SCALE). Figures from a shortened run are not the
# check: only the full one is. Each run is one `loadbench run` that starts its own target; its scenarios run one
# after another, so the engine holds at most 8,000 connections at once (below this machine's 20,000 open files).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

OUT=$(mktemp -d /tmp/capacity-check.XXXXXX)
echo "open-file limit of this shell (the target and engine inherit it): $(ulimit -Sn) soft / $(ulimit -Hn) hard"
bench_build
bench_load_note

# The scenario files as run: the repository's, or shortened/scaled copies when asked.
for size in small big; do
  python3 - "scenarios/bench/capacity-$size.json" "$OUT/capacity-$size.json" "${MEASURED:-}" "${WARMUP:-}" "${IDLE:-}" "${SCALE:-1}" <<'PY'
import json, sys
src, dst, measured, warmup, idle, scale = sys.argv[1:]
plan = json.load(open(src))
plan.pop("$schema", None)
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
print(s["sse"], s["poll"])' "$OUT/big/results.json")
for n in "$STREAM" "$POLL"; do
  $ENGINE plan "$OUT/small/results.json" --subscribers "$n" --rate 1 --payload-bytes 256 --poll-interval 1s --output "$OUT/plan-$n" >"$OUT/plan-$n.log"
done
echo
echo "=== loadbench plan $OUT/small/results.json --subscribers $STREAM --rate 1 --payload-bytes 256 --poll-interval 1s ==="
cat "$OUT/plan-$STREAM/plan.txt"

python3 - "$OUT" "$STREAM" "$POLL" <<'PY'
import json, os, sys
out, stream, poll = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def scenarios(size):
    return [s for s in json.load(open(os.path.join(out, size, "results.json")))["scenarios"] if not s["name"].startswith("warm_")]
def largest(size):  # per transport, the one with the most clients
    return {s["transport"]: s for s in sorted(scenarios(size), key=lambda s: s["clients"]) if s["clients"] > 0}
small, big = largest("small"), largest("big")
plans = {n: {p["transport"]: p for p in json.load(open(os.path.join(out, f"plan-{n}", "plan.json")))} for n in (stream, poll)}
cpu = lambda s: s["server"]["cpuMs"] / s["durationSeconds"]
idle = [s for s in scenarios("small") if s["clients"] == 0]
if idle:
    print(f"\nidle target (scenario '{idle[0]['name']}', no clients, {idle[0]['durationSeconds']:.0f} s): {cpu(idle[0]):.2f} ms/s")
print()
print("=== capacity-check: projected (from the small run) vs measured (the big run), target only; ratio = measured ÷ projected ===")
print(f"{'transport':>9} {'from':>5} {'to':>5}  {'model':<34} {'CPU ms/s proj':>13} {'meas':>7} {'ratio':>6} {'':4}  {'MiB proj':>8} {'meas':>7} {'ratio':>6} {'':4}  lost")
ok = True
for t, n in (("sse", stream), ("ws", stream), ("poll", poll)):
    p, s, b = plans[n][t], small[t], big[t]
    cpu_p, cpu_m = p["targetCpuMsPerSecond"], cpu(b)
    srv = b["server"]
    if srv.get("retainedHeapBytesWithClients") is not None and srv.get("retainedHeapBytesBefore") is not None:
        mem_m = max(0, srv["retainedHeapBytesWithClients"] - srv["retainedHeapBytesBefore"])
    else:
        mem_m = (srv.get("kibPerConnection") or 0) * 1024 * b["clients"]
    mem_p = p["retainedMemoryBytes"]
    rc, rm = cpu_m / cpu_p, mem_m / mem_p
    pc, pm = abs(rc - 1) <= 0.25, abs(rm - 1) <= 0.25
    ok &= pc and pm
    unit = "request" if t == "poll" else "delivery"
    model = (f"{p['cpuFixedMsPerSecond']:.2f} ms/s + {p['cpuMsPerLoadUnit'] * 1000:.1f} ms/1000 {unit[:3]}"
             if p.get("cpuFixedMsPerSecond") is not None else "through zero")
    print(f"{t:>9} {s['clients']:>5} {b['clients']:>5}  {model:<34} {cpu_p:>13.1f} {cpu_m:>7.1f} {rc:>6.2f} {'PASS' if pc else 'FAIL':4}"
          f"  {mem_p / 2**20:>8.1f} {mem_m / 2**20:>7.1f} {rm:>6.2f} {'PASS' if pm else 'FAIL':4}  {b['integrity']['lost']}")
    if p.get("cpuFitNote"):
        print(f"{'':>9} note: {p['cpuFitNote']}")
print("small run, for the record: " + "; ".join(
    f"{s['name']} {s['clients']} clients: CPU {cpu(s):.1f} ms/s"
    + (f", {s['server']['kibPerConnection']:.2f} KiB/connection" if s['server'].get('kibPerConnection') else "")
    for s in scenarios("small")))
print("big run: " + "; ".join(
    f"{s['name']} {s['clients']} clients: CPU {cpu(s):.1f} ms/s, {(s['server'].get('kibPerConnection') or 0):.2f} KiB/connection"
    for s in big.values()))
print("verdict (±25 % on CPU and memory, every transport):", "PASS" if ok else "FAIL")
print(f"raw output: {out}")
PY
