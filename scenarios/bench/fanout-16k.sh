#!/usr/bin/env bash
# Fan-out: 8,000 SSE plus 8,000 WebSocket subscribers at the same time on one machine (target and engine both
# here), publisher at 1 event/s, 35 s measured. Acceptance (issue 3): zero loss, p99 < 100 ms.
#
#   scenarios/bench/fanout-16k.sh
#   SSE=4000 WS=4000 scenarios/bench/fanout-16k.sh      # smaller, for a quick look (copies in the JSON are replaced)
#
# Two engine processes (`loadbench run fanout-sse-8000.json` and `… fanout-ws-8000.json`), started together
# against one target: a scenario names one transport, and each process has its own 20,000 open-file limit.
# Both warm up for 15 s (8,000 connects at the engine's 2,000 starts/s take 4 s), so each one's measured phase
# runs with all 16,000 subscribers connected. The process that finishes first pauses the publisher for its
# drain; the other's last fraction of a second then sees no new event (fewer events, never a loss).
# A p99 over both transports lies between the two p99s (the merged CDF is a weighted mean of the two), so
# both below 100 ms means the merged one is too.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

SSE=${SSE:-8000}
WS=${WS:-8000}
OUT=$(mktemp -d /tmp/fanout-16k.XXXXXX)
echo "open-file limit of this shell (the target and engines inherit it): $(ulimit -Sn) soft / $(ulimit -Hn) hard"

bench_build
bench_fanout_start
started=$(date +%s)

# Once a second: target CPU ticks and RSS, engines' RSS, the target's open connections per transport.
{
  echo "t target_cpu_ticks target_rss_kib sse_engine_rss_kib ws_engine_rss_kib target_open_sse target_open_ws rejected sse_engine_cpu_ticks ws_engine_cpu_ticks"
  while kill -0 "${ENGINE_PIDS[0]}" 2>/dev/null || kill -0 "${ENGINE_PIDS[1]}" 2>/dev/null; do
    stats=$(curl -sf --max-time 2 "$TARGET_URL/stats" || echo '{}')
    open="$(bench_open_connections "$stats" sse) $(bench_open_connections "$stats" ws) $(bench_rejected_connections "$stats")"
    printf -v now '%(%s)T' -1 # bash's own clock: no process per sample
    echo "$(( now - started )) $(bench_cpu_ticks "$TARGET_PID") $(bench_rss_kib "$TARGET_PID") \
$(bench_rss_kib "${ENGINE_PIDS[0]}" 2>/dev/null || echo 0) $(bench_rss_kib "${ENGINE_PIDS[1]}" 2>/dev/null || echo 0) $open \
$(bench_cpu_ticks "${ENGINE_PIDS[0]}" 2>/dev/null || echo 0) $(bench_cpu_ticks "${ENGINE_PIDS[1]}" 2>/dev/null || echo 0)"
    sleep 1
  done
} >"$OUT/samples.txt" &
SAMPLER=$!

status=0
wait "${ENGINE_PIDS[0]}" || status=$?
wait "${ENGINE_PIDS[1]}" || status=$?
wait "$SAMPLER" || true
bench_load_note
if [[ $status -ne 0 ]]; then
  echo "an engine run failed (exit $status):" >&2
  tail -n 20 "$OUT/sse.log" "$OUT/ws.log" >&2
fi

# The kernel's floor for the same number of deliveries, measured in this run on this machine: one write and one
# read per delivery over loopback TCP in C (loopback-fanout-floor.c). A pair takes two descriptors and one
# process holds 20,000, so the deliveries are measured in chunks of at most 8,000 pairs and their median round
# times added: the round time of one event fanned out to SSE + WS subscribers if nothing but the kernel ran.
gcc -O2 -o "$OUT/floor" scenarios/bench/loopback-fanout-floor.c
remaining=$(( SSE + WS ))
: >"$OUT/floor.txt"
while (( remaining > 0 )); do
  chunk=$(( remaining > 8000 ? 8000 : remaining ))
  "$OUT/floor" "$chunk" >>"$OUT/floor.txt"
  remaining=$(( remaining - chunk ))
done

python3 - "$OUT" "$(getconf CLK_TCK)" <<'EOF'
import json, os, re, statistics, sys
out, hz = sys.argv[1], int(sys.argv[2])
# Median round per chunk size (5 rounds each), summed over the chunks.
chunks, current = [], None
for line in open(os.path.join(out, "floor.txt")):
    m = re.match(r"n=(\d+) .* total ([\d.]+) ms", line)
    if not m: continue
    n, ms = int(m.group(1)), float(m.group(2))
    if current is None or current[0] != n or len(current[1]) == 5:
        current = (n, []); chunks.append(current)
    current[1].append(ms)
floor_ms = sum(statistics.median(ms) for _, ms in chunks)
floor_n = sum(n for n, _ in chunks)
rows = [l.split() for l in open(os.path.join(out, "samples.txt")).read().splitlines()[1:]]
rows = [r for r in rows if len(r) == 10]
def col(i): return [r[i] for r in rows]
print()
print("=== fanout-16k: SSE + WebSocket subscribers at once, 1 event/s (acceptance: lost 0, p99 < 100 ms) ===")
ok = True
p99s = []
deliveries_per_s = {}
for t in ("sse", "ws"):
    path = os.path.join(out, t, "results.json")
    if not os.path.exists(path):
        print(f"{t}: no results.json (see {out}/{t}.log)"); ok = False; continue
    d = json.load(open(path)); s = d["scenarios"][0]
    lat, integ, thr = s["latency"]["event"], s["integrity"], s["throughput"]
    errors = s["errors"]["byKind"]
    print(f"{t:>3}: clients {s['clients']}, measured {s['durationSeconds']:.1f} s, events delivered {thr['eventsDelivered']}, "
          f"lost {integ['lost']}, duplicates {integ['duplicates']}, reorders {integ['reorders']}, reconnects {integ['reconnects']}, "
          f"p50 {lat['p50Ms']:.1f} ms, p99 {lat['p99Ms']:.1f} ms, p99.9 {lat['p999Ms']:.1f} ms, max {lat['maxMs']:.1f} ms, errors {errors or 0}")
    ok &= integ["lost"] == 0 and lat["p99Ms"] < 100 and s["durationSeconds"] >= 30
    p99s.append((t, lat["p99Ms"]))
    deliveries_per_s[t] = thr["eventsDelivered"] / s["durationSeconds"]
# Connections the target had open, as it counts them, at the fullest second.
full = max(rows, key=lambda r: (int(r[5]) if r[5].isdigit() else 0) + (int(r[6]) if r[6].isdigit() else 0))
print(f"connections established (target's /stats at the fullest second, t={full[0]} s): sse {full[5]}, ws {full[6]}; rejected by the target: {rows[-1][7]}")
# Target CPU over the steady part: from the sample at warm-up end (15 s) to the last sample before the drain (50 s).
steady = [r for r in rows if 16 <= int(r[0]) <= 50]
if len(steady) >= 2:
    secs = int(steady[-1][0]) - int(steady[0][0])
    cpu = (int(steady[-1][1]) - int(steady[0][1])) / hz
    sse_cpu = (int(steady[-1][8]) - int(steady[0][8])) / hz
    ws_cpu = (int(steady[-1][9]) - int(steady[0][9])) / hz
    print(f"CPU during t={steady[0][0]}..{steady[-1][0]} s ({secs} s): target {cpu:.1f} s = {cpu / secs:.2f} cores, "
          f"sse engine {sse_cpu:.1f} s = {sse_cpu / secs:.2f} cores, ws engine {ws_cpu:.1f} s = {ws_cpu / secs:.2f} cores")
    # Per delivery: CPU over the window ÷ the deliveries the measured phases counted per second × the window.
    total = sum(deliveries_per_s.values()) * secs
    if total > 0:
        print(f"CPU per delivery: target {cpu / total * 1e6:.1f} µs, engines {(sse_cpu + ws_cpu) / total * 1e6:.1f} µs "
              f"({total:,.0f} deliveries in the window; issue 14's goals: <= 9 and <= 7 µs)")
print(f"peak RSS: target {max(int(x) for x in col(2)) / 1024:.0f} MiB, sse engine {max(int(x) for x in col(3)) / 1024:.0f} MiB, "
      f"ws engine {max(int(x) for x in col(4)) / 1024:.0f} MiB")
print(f"loopback floor for {floor_n:,} deliveries (one write + one read each, C, this machine, now): round {floor_ms:.1f} ms")
for t, p99 in p99s:
    print(f"{t}: p99 / floor round = {p99:.1f} / {floor_ms:.1f} = {p99 / floor_ms:.1f}x (issue 14's goal: <= 2x)")
print("verdict:", "PASS" if ok else "FAIL")
print(f"raw output: {out}")
EOF
exit $status
