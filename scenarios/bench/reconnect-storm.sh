#!/usr/bin/env bash
# Reconnect storm: 5,000 SSE subscribers dropped at once by the target (POST /feed/drop-connections?count=5000),
# beside 1,000 WebSocket subscribers that are not dropped; run twice, the stormed clients reconnecting with no
# jitter (every client waits exactly 1 s) and then with full jitter (a random wait in [0, 1 s)), both 1 s doubling
# to 10 s (reconnect-storm-none.json, reconnect-storm-full.json; the kept ones: reconnect-storm-kept.json).
#
#   scenarios/bench/reconnect-storm.sh        # about 4 minutes on a busy machine (two runs of ~100 s, builds)
#   STORM=2000 scenarios/bench/reconnect-storm.sh   # when the machine is busy: 5,000 connects can take a minute
#
# The engines' measured phases (60 s stormed, 70 s kept) are long so that the drop falls inside them even when
# connecting is slow; the drop comes as soon as every stormed client is connected.
#
# Three processes per run: the target, one engine with the kept subscribers (connected first: a count-limited
# drop takes the newest connections), one with the stormed ones. A sampler polls the target's /stats every
# 100 ms, drops the stormed subscribers 1 s after they are all connected, and watches them come back.
# Prints per run: time until every stormed client is connected again (the target's open SSE connections back to
# STORM) and until every one has received an event published after the drop, the peak accept rate (new SSE
# connections per second, in 100 ms windows and in the busiest second), the target's CPU during the recovery and
# its busiest second, errors and reconnects counted by the engine, lost events; and the kept subscribers' events
# during the storm, reconnects and loss. Rough figures: one run on a shared 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

STORM=${STORM:-5000}
OUT=$(mktemp -d /tmp/reconnect-storm.XXXXXX)
echo "open-file limit of this shell (target and engines inherit it): $(ulimit -Sn)"
bench_build
TARGET_PID=""
PIDS=()
trap 'bench_stop "${PIDS[@]}" "$TARGET_PID"' EXIT

run() {
  local jitter=$1 dir="$OUT/$1"
  mkdir -p "$dir"
  sed "s/\"copies\": 5000/\"copies\": $STORM/" "scenarios/bench/reconnect-storm-$jitter.json" >"$dir/storm.json"
  bench_start_target "$dir/target.log" --rate 5 --payload-bytes 256
  bench_load_note
  $ENGINE run scenarios/bench/reconnect-storm-kept.json --target "$TARGET_URL" --output "$dir/kept" --quiet >"$dir/kept.log" 2>&1 &
  local kept=$!
  PIDS=("$kept")
  python3 - "$TARGET_URL" ws 1000 60 <<'PY' || { echo "the kept subscribers did not connect" >&2; return 1; }
import json, sys, time, urllib.request
url, transport, want, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
end = time.monotonic() + limit
while time.monotonic() < end:
    d = json.load(urllib.request.urlopen(url + "/stats", timeout=5))
    if d["transports"][transport]["openConnections"] >= want:
        sys.exit(0)
    time.sleep(0.2)
sys.exit(1)
PY
  $ENGINE run "$dir/storm.json" --target "$TARGET_URL" --output "$dir/storm" --quiet >"$dir/storm.log" 2>&1 &
  local storm=$!
  PIDS+=("$storm")
  python3 - "$TARGET_URL" "$TARGET_PID" "$STORM" "$dir/samples.json" <<'PY'
import json, os, sys, time, urllib.request
url, pid, storm, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
hz = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz
def sample():
    d = json.load(urllib.request.urlopen(url + "/stats", timeout=5))
    t = d["transports"]
    return {"t": time.monotonic(), "cpu": cpu(), "sseOpen": t["sse"]["openConnections"], "sseRequests": t["sse"]["requests"],
            "sseSent": t["sse"]["eventsSent"], "wsOpen": t["ws"]["openConnections"], "wsSent": t["ws"]["eventsSent"],
            "latest": d["transports"]["ws"]["eventsSent"]}
samples, start = [], time.monotonic()
full_since = None
log = open(out + ".log", "w")
while time.monotonic() - start < 120:          # all stormed clients connected, then 1 s of calm
    s = sample(); samples.append(s)
    print(f"{s['t'] - start:.1f} sse {s['sseOpen']} ws {s['wsOpen']}", file=log, flush=True)
    if s["sseOpen"] >= storm:
        full_since = full_since or s["t"]
        if s["t"] - full_since >= 1:
            break
    else:
        full_since = None
    time.sleep(0.1)
req = urllib.request.Request(url + f"/feed/drop-connections?count={storm}", method="POST")
drop_t = time.monotonic()
dropped = json.load(urllib.request.urlopen(req, timeout=30))["dropped"]
latest_at_drop = samples[-1]["latest"]
print(f"{drop_t - start:.1f} dropped {dropped}", file=log, flush=True)
back_t = None
while time.monotonic() - drop_t < 40:            # until every stormed client is connected again, then 3 s more
    s = sample(); samples.append(s)
    print(f"{s['t'] - start:.1f} sse {s['sseOpen']} ws {s['wsOpen']}", file=log, flush=True)
    if back_t is None and s["sseOpen"] >= storm:
        back_t = s["t"]
    if back_t is not None and s["t"] - back_t >= 3:
        break
    time.sleep(0.1)
json.dump({"dropT": drop_t, "dropped": dropped, "latestAtDrop": latest_at_drop, "backT": back_t, "samples": samples}, open(out, "w"))
PY
  wait "$storm" || echo "the storm engine exited $?" >&2
  wait "$kept" || echo "the kept engine exited $?" >&2
  PIDS=()
  bench_load_note
  bench_stop "$TARGET_PID"; TARGET_PID=""
}

run none
run full

python3 - "$OUT" "$STORM" <<'PY'
import json, os, sys
out, storm = sys.argv[1], int(sys.argv[2])
print()
print(f"=== reconnect storm: {storm} SSE subscribers dropped at once, 1,000 WebSocket subscribers kept ===")
for jitter in ("none", "full"):
    d = json.load(open(os.path.join(out, jitter, "samples.json")))
    s, t0 = d["samples"], d["dropT"]
    after = [x for x in s if x["t"] >= t0]
    before = [x for x in s if x["t"] < t0][-1]
    back = d["backT"] - t0 if d["backT"] else None
    # Accepts: new SSE requests counted by the target, per 100 ms window and per busiest second.
    rates, second = [], 0
    for a, b in zip([before] + after, after):
        dt = b["t"] - a["t"]
        if dt > 0:
            rates.append((b["sseRequests"] - a["sseRequests"]) / dt)
    busiest = 0
    for i, a in enumerate(after):
        win = [b for b in after[i:] if b["t"] - a["t"] <= 1.0]
        if len(win) >= 2 and win[-1]["t"] > a["t"]:
            busiest = max(busiest, (win[-1]["sseRequests"] - a["sseRequests"]) / (win[-1]["t"] - a["t"]))
    end = next((x for x in after if d["backT"] and x["t"] >= d["backT"]), after[-1])
    cpu = end["cpu"] - before["cpu"]; span = end["t"] - before["t"]
    peak_cpu = 0
    for i, a in enumerate(after):
        win = [b for b in after[i:] if b["t"] - a["t"] <= 1.0]
        if len(win) >= 2 and win[-1]["t"] - a["t"] > 0.5:
            peak_cpu = max(peak_cpu, (win[-1]["cpu"] - a["cpu"]) / (win[-1]["t"] - a["t"]))
    ws_sent = end["wsSent"] - before["wsSent"]
    events = 5 * (end["t"] - before["t"])
    st = json.load(open(os.path.join(out, jitter, "storm", "results.json")))["scenarios"][0]
    kp = json.load(open(os.path.join(out, jitter, "kept", "results.json")))["scenarios"][0]
    print(f"jitter {jitter}: dropped {d['dropped']}; every one connected again after "
          f"{back:.2f} s" if back is not None else f"jitter {jitter}: dropped {d['dropped']}; NOT all back within 40 s")
    print(f"  peak accept rate {max(rates):.0f} conn/s (100 ms window), {busiest:.0f} conn/s (busiest second); "
          f"target CPU {cpu:.1f} s over the {span:.1f} s from drop to all back = {cpu / span:.2f} cores, busiest second {peak_cpu:.2f} cores")
    integ, errs = st["integrity"], st["errors"]["byKind"]
    print(f"  stormed (engine): reconnects {integ['reconnects']}, errors {errs or 0}, lost {integ['lost']}, duplicates {integ['duplicates']}, "
          f"p99 {st['latency']['event']['p99Ms']:.0f} ms, max {st['latency']['event']['maxMs']:.0f} ms")
    ki = kp["integrity"]
    print(f"  kept (engine): {ws_sent} events sent to them while the storm lasted (about {events:.0f} published x 1,000), reconnects {ki['reconnects']}, "
          f"lost {ki['lost']}, errors {kp['errors']['byKind'] or 0}, p99 {kp['latency']['event']['p99Ms']:.0f} ms")
print(f"raw output: {out}")
PY
