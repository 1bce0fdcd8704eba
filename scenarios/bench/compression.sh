#!/usr/bin/env bash
# Compression on the push transports: WebSocket without compression, with permessage-deflate (context takeover)
# and with permessage-deflate without context takeover; SSE without compression, with gzip and with br — the same
# feed of 256-byte JSON events, one target, one `loadbench run` (each scenario after the other).
#
#   scenarios/bench/compression.sh                                  # small: 100 clients, 50 events/s, 10 s each (~2 min)
#   CLIENTS=1000 RATE=100 DURATION=30s scenarios/bench/compression.sh  # the full size (~5 min; not on a shared machine)
#
# Prints per scenario: bytes per event on the wire (payload = the compressed body when compressed, framing,
# headers, total), the uncompressed payload and framing per event beside it with the ratio (decoded ÷ compressed
# body), the target's CPU per 1,000 delivered events, and memory per connection as the engine reports it
# twice: kibPerConnection (the retained managed heap) and residentKibPerConnection (working-set growth between two
# full collections). The compressors' zlib/brotli state is native memory: only the second shows it (noisily).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

CLIENTS=${CLIENTS:-100}
RATE=${RATE:-50}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
OUT=$(mktemp -d /tmp/compression.XXXXXX)
bench_build
TARGET_PID=""
trap 'bench_stop "$TARGET_PID"' EXIT

python3 - "$OUT/compression.json" "$CLIENTS" "$RATE" "$DURATION" "$WARMUP" <<'PY'
import json, sys
path, clients, rate, during, warm = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
variants = [("ws", "none"), ("ws", "permessage-deflate"), ("ws", "permessage-deflate-no-context-takeover"),
            ("sse", "none"), ("sse", "gzip"), ("sse", "br")]
json.dump({
    "name": "bench_compression",
    "description": "scenarios/bench/compression.sh: each compression on WebSocket and SSE, 256-byte events",
    "defaults": {"warmUp": warm, "feed": {"ratePerSecond": rate, "payloadBytes": 256},
                 "load": [{"model": "KeepConstant", "copies": clients, "during": during}]},
    "scenarios": [{"name": f"{t}_{c.replace('-', '_')}", "transport": t, "compression": c} for t, c in variants],
}, open(path, "w"), indent=2)
PY

bench_start_target "$OUT/target.log" --compression on
bench_load_note
$ENGINE run "$OUT/compression.json" --target "$TARGET_URL" --output "$OUT/results" --quiet >"$OUT/engine.log" 2>&1 \
  || { echo "engine run failed:" >&2; tail -n 20 "$OUT/engine.log" >&2; exit 1; }
bench_load_note

python3 - "$OUT/results" <<'PY'
import glob, json, os, sys
files = sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))
doc = json.load(open([f for f in files if not f.endswith("schema.json")][0]))
print(f"{'scenario':44} {'payload':>8} {'framing':>8} {'headers':>8} {'total':>8} | {'unc.pay':>8} {'unc.frm':>8} {'ratio':>6} | {'cpu/1k ev':>9} {'KiB/conn':>8} {'resident':>9}")
for s in doc["scenarios"]:
    b, pe, srv = s["bytes"], s["bytes"]["perEvent"], s["server"]
    u = b.get("uncompressed")
    unc = f"{u['perEvent']['payload']:8.1f} {u['perEvent']['framing']:8.1f} {u['ratio'] or 0:6.2f}" if u else f"{'-':>8} {'-':>8} {'-':>6}"
    cpu = srv.get("cpuMsPer1000Events")
    print(f"{s['name']:44} {pe['payload']:8.1f} {pe['framing']:8.1f} {pe['headers']:8.1f} {pe['total']:8.1f} | {unc} | "
          f"{(cpu or 0):9.1f} {(srv.get('kibPerConnection') or 0):8.1f} "
          f"{(srv.get('residentKibPerConnection') or 0):9.1f}")
PY
echo "results: $OUT/results"
