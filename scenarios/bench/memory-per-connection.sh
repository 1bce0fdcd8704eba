#!/usr/bin/env bash
# Memory per idle subscriber (issue 14): what one SSE or WebSocket subscriber costs the target and the engine.
#
#   scenarios/bench/memory-per-connection.sh              # 4,000 subscribers per transport (about 1 min 30 s)
#   N=500 HOLD=5s scenarios/bench/memory-per-connection.sh # a quick proof that it works
#   GCDUMP=1 scenarios/bench/memory-per-connection.sh     # also a dotnet-gcdump of target and engine, subscribers connected
#   HEAPSTAT=1 N=2000 HOLD=5s scenarios/bench/memory-per-connection.sh
#                     # also the target's live heap per connection, type by type and grouped by owner: `dotnet-dump`
#                     # heap dumps of the target before the first subscriber and with all N, `dumpheap -stat -live`
#                     # of each, the difference / N (heap-per-connection.py; dotnet-dump from ~/.dotnet/tools;
#                     # the dumps are deleted after, only the statistics kept)
#   COUNTERS=1 scenarios/bench/memory-per-connection.sh   # also the engine's GC counters (dotnet-counters) before and with all N
#   ENGINE_ENV="DOTNET_gcServer=0" scenarios/bench/memory-per-connection.sh   # a GC setting tried without a rebuild
#
# Per transport (sse, then ws) a fresh target (1 event/s of 256 B, like scenarios/fanout.json) and one
# `loadbench run` of N copies: connected in a 10 s warm-up (the engine starts 2,000 a second), then HOLD measured.
#
# - Target, retained: the run's own `server.kibPerConnection` — (managed heap after a full, compacting collection
#   with every subscriber connected − the same before any existed) / N, read by the engine from /stats?gc=true.
#   `server.residentKibPerConnection` is the same difference of the working set (native memory included; noisier).
# - Engine's GC (COUNTERS=1): committed memory, heap size and fragmentation after the last collection, gen0 budget,
#   before the first subscriber connected and with all N (medians), from `dotnet-counters collect`. Its EventPipe
#   session adds memory of its own to the engine, so read the RSS of such a run apart from runs without it.
# - Engine: (median RSS while all N are connected − RSS at the last sample before the first one connected) / N,
#   sampled from /proc every 0.25 s; "connected" is the target's own count of open connections of the transport.
#   RSS, not the heap: the engine's cost is what the machine must have, runtime and native buffers included.
set -euo pipefail
cd "$(dirname "$0")/../.."
PATH="$PATH:$HOME/.dotnet/tools"
source scenarios/bench/lib.sh

N=${N:-4000}
HOLD=${HOLD:-10s}
OUT=$(mktemp -d /tmp/memory-per-connection.XXXXXX)

# heap_stat PID FILE : `dumpheap -stat -live` of the process into FILE (a heap dump taken, read, deleted).
heap_stat() {
  dotnet-dump collect -p "$1" --type Heap -o "$OUT/heap.dmp" >/dev/null || { echo "dotnet-dump collect failed" >&2; return 0; }
  dotnet-dump analyze "$OUT/heap.dmp" -c "dumpheap -stat -live" -c exit >"$2" 2>&1 || echo "dotnet-dump analyze failed" >&2
  rm -f "$OUT/heap.dmp"
}

bench_build
TARGET_PID=""
ENGINE_PID=""
SAMPLER=""
trap 'bench_stop "$SAMPLER" "$ENGINE_PID" "$TARGET_PID"' EXIT
bench_load_note

for t in sse ws; do
  cat >"$OUT/$t.json" <<EOF
{
  "name": "memory_per_connection_$t",
  "scenarios": [
    {
      "name": "${t}_idle_$N",
      "transport": "$t",
      "warmUp": "10s",
      "feed": { "ratePerSecond": 1, "payloadBytes": 256 },
      "load": [ { "model": "KeepConstant", "copies": $N, "during": "$HOLD" } ]
    }
  ]
}
EOF
  bench_start_target "$OUT/target-$t.log" --rate 0 --payload-bytes 256
  [[ ${HEAPSTAT:-0} == 1 ]] && heap_stat "$TARGET_PID" "$OUT/heap-$t-before.txt"
  $ENGINE run "$OUT/$t.json" --target "$TARGET_URL" --output "$OUT/$t" --quiet >"$OUT/engine-$t.log" 2>&1 &
  ENGINE_PID=$!
  if [[ ${COUNTERS:-0} == 1 ]]; then
    # The runtime's diagnostic port exists a moment after the process starts: retry briefly.
    ( for _ in $(seq 1 40); do
        PATH="$PATH:$HOME/.dotnet/tools" dotnet-counters collect -p "$ENGINE_PID" --refresh-interval 1 --format csv -o "$OUT/counters-$t.csv" \
          --counters System.Runtime >"$OUT/counters-$t.log" 2>&1 && break
        kill -0 "$ENGINE_PID" 2>/dev/null || break
        sleep 0.1
      done ) &
  fi
  # Every 0.25 s: the engine's RSS, the target's open connections of this transport, and the time (for COUNTERS).
  {
    while kill -0 "$ENGINE_PID" 2>/dev/null; do
      open=$(bench_open_connections "$(curl -sf --max-time 2 "$TARGET_URL/stats" || echo '{}')" "$t")
      echo "$(bench_rss_kib "$ENGINE_PID" 2>/dev/null || echo 0) $open $(date +%s.%N)"
      sleep 0.25
    done
  } >"$OUT/samples-$t.txt" &
  SAMPLER=$!
  if [[ ${GCDUMP:-0} == 1 || ${HEAPSTAT:-0} == 1 ]]; then
    # Once every subscriber is connected (and settled for 3 s): a heap dump of each process, for `dotnet-gcdump report`.
    for _ in $(seq 1 240); do
      [[ $(tail -n1 "$OUT/samples-$t.txt" 2>/dev/null | cut -d' ' -f2) == "$N" ]] && break
      sleep 0.25
    done
    sleep 3
    if [[ ${GCDUMP:-0} == 1 ]]; then
      dotnet-gcdump collect -p "$TARGET_PID" -o "$OUT/target-$t.gcdump" >/dev/null || echo "target gcdump failed" >&2
      dotnet-gcdump collect -p "$ENGINE_PID" -o "$OUT/engine-$t.gcdump" >/dev/null || echo "engine gcdump failed" >&2
    fi
    [[ ${HEAPSTAT:-0} == 1 ]] && heap_stat "$TARGET_PID" "$OUT/heap-$t-with.txt"
  fi
  status=0
  wait "$ENGINE_PID" || status=$?
  wait "$SAMPLER" || true
  [[ $status -eq 0 ]] || { echo "the $t run failed (exit $status):" >&2; tail -n 20 "$OUT/engine-$t.log" >&2; }
  bench_stop "$TARGET_PID"
  ENGINE_PID=""; SAMPLER=""; TARGET_PID=""
done
bench_load_note

python3 - "$OUT" "$N" <<'EOF'
import csv, datetime, json, os, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])

def gc_counters(t, rows):
    """The engine's GC counters before the first subscriber connected and with all N (medians over those times)."""
    path = os.path.join(out, f"counters-{t}.csv")
    if not os.path.exists(path):
        return None
    first_open = next((ts for _, o, ts in rows if o > 0), None)
    full = [ts for _, o, ts in rows if o == n]
    if first_open is None or not full:
        return None
    wanted = ("dotnet.gc.last_collection.memory.committed_size", "dotnet.gc.last_collection.heap.size",
              "dotnet.gc.last_collection.heap.fragmentation.size", "gc-committed", "gc-heap-size", "gc-fragmentation",
              "gen-0-gc-budget", "gen-0-size", "gen-1-size", "gen-2-size", "loh-size", "poh-size", "dotnet.gc.collections",
              "gen-0-gc-count", "gen-1-gc-count", "gen-2-gc-count", "threadpool-thread-count")
    before, during = {}, {}
    for r in csv.reader(open(path)):
        if len(r) < 5 or r[0] == "Timestamp":
            continue
        try:
            # dotnet-counters writes the machine's local time as MM/dd/yyyy HH:mm:ss; the samples are Unix seconds.
            ts = datetime.datetime.strptime(r[0], "%m/%d/%Y %H:%M:%S").timestamp()
            value = float(r[4])
        except ValueError:
            continue
        name = r[2].split(" ")[0].split("[")[0]
        key = next((w for w in wanted if name.startswith(w) or r[2].startswith(w)), None)
        if key is None:
            continue
        label = r[2] if key.startswith("dotnet.") else key
        if ts < first_open:
            before.setdefault(label, []).append(value)
        elif full[0] - 1 <= ts <= full[-1]:  # counters carry whole seconds
            during.setdefault(label, []).append(value)
    return {k: (before[k][-1], statistics.median(during[k])) for k in during if k in before}

print()
print(f"=== memory per idle subscriber, {n} per transport, 1 event/s of 256 B (goals: target <= 6 KiB, engine <= 10 KiB) ===")
for t in ("sse", "ws"):
    path = os.path.join(out, t, "results.json")
    if not os.path.exists(path):
        print(f"{t}: no results.json (see {out}/engine-{t}.log)"); continue
    s = json.load(open(path))["scenarios"][0]
    srv, integ = s["server"], s["integrity"]
    rows = [l.split() for l in open(os.path.join(out, f"samples-{t}.txt")).read().splitlines()]
    rows = [(int(r[0]), int(r[1]), float(r[2])) for r in rows if len(r) == 3 and r[1].isdigit() and r[0].isdigit() and int(r[0]) > 0]
    before = [rss for rss, open_, _ in rows[:next((i for i, (_, o, _) in enumerate(rows) if o > 0), len(rows))]]
    full = [rss for rss, open_, _ in rows if open_ == n]
    engine = (statistics.median(full) - before[-1]) / n if before and full else None
    heap = (srv["retainedHeapBytesWithClients"] - srv["retainedHeapBytesBefore"]) / 1024 / 1024 if srv.get("retainedHeapBytesWithClients") else None
    print(f"{t:>3}: target {srv['kibPerConnection']:.1f} KiB/connection retained heap (+{heap:.1f} MiB), "
          f"{srv.get('residentKibPerConnection') or 0:.1f} KiB resident; "
          + (f"engine {engine:.1f} KiB/subscriber RSS ({before[-1] / 1024:.0f} -> {statistics.median(full) / 1024:.0f} MiB, "
             f"{len(full)} samples with all {n})" if engine is not None else "engine: no sample with all connected")
          + f"; clients {s['clients']}, lost {integ['lost']}, events {s['throughput']['eventsDelivered']}")
    for name, (b, d) in sorted((gc_counters(t, rows) or {}).items()):
        print(f"     engine {name}: {b:,.0f} before -> {d:,.0f} with all {n}" + (f" ({(d - b) / 1024 / n:+.1f} KiB/subscriber)" if d > 100_000 else ""))
print(f"raw output: {out}")
EOF

if [[ ${HEAPSTAT:-0} == 1 ]]; then
  for t in sse ws; do
    if [[ -s $OUT/heap-$t-before.txt && -s $OUT/heap-$t-with.txt ]]; then
      echo; echo "--- target, $t: live heap per connection by type (all $N connected - before the first) ---"
      python3 scenarios/bench/heap-per-connection.py "$OUT/heap-$t-before.txt" "$OUT/heap-$t-with.txt" "$N"
    fi
  done
fi
