#!/usr/bin/env bash
# The scaled-out target on one machine: nats-server (JetStream), a publisher (serve --publish-to), REPLICAS replicas
# (serve --follow, default 2) and nginx in front of them with deploy/nginx's configuration. Runs
# scenarios/scaleout.json twice — straight at the first replica, then through nginx — and puts latency and bytes per
# event side by side: the client ↔ nginx leg (the engine's count) and the nginx ↔ replica leg (the replicas' /stats).
# About 2 minutes (two runs of ~55 s).
#
#   scenarios/bench/scaleout.sh
#   REPLICAS=3 scenarios/bench/scaleout.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

REPLICAS=${REPLICAS:-2}
OUT=$(mktemp -d /tmp/scaleout.XXXXXX)
bench_build
PIDS=()
trap 'bench_stop ${NGINX_PID:-} "${PIDS[@]}" ${NATS_PID:-}' EXIT

bench_start_nats "$OUT/nats"
bench_start_target "$OUT/publisher.log" --rate 0 --publish-to "$NATS_URL"
PIDS+=("$TARGET_PID"); PUBLISHER_URL=$TARGET_URL
REPLICA_URLS=()
for i in $(seq 1 "$REPLICAS"); do
  bench_start_target "$OUT/replica-$i.log" --follow "$NATS_URL"
  PIDS+=("$TARGET_PID"); REPLICA_URLS+=("$TARGET_URL")
done
bench_start_nginx "$OUT/nginx" 2 "${REPLICA_URLS[@]#http://}"
bench_load_note

STATS=()
for u in "${REPLICA_URLS[@]}"; do STATS+=(--stats-url "$u"); done
echo "direct: straight at ${REPLICA_URLS[0]} (settings through the publisher)"
$ENGINE run scenarios/scaleout.json --target "${REPLICA_URLS[0]}" --control-url "$PUBLISHER_URL" \
  --stats-url "${REPLICA_URLS[0]}" --output "$OUT/direct" --quiet >"$OUT/direct.log" 2>&1
echo "proxied: through $NGINX_URL to ${REPLICA_URLS[*]}"
$ENGINE run scenarios/scaleout.json --target "$NGINX_URL" --control-url "$PUBLISHER_URL" "${STATS[@]}" \
  --stats-pid "$NGINX_PID" --output "$OUT/proxied" --quiet >"$OUT/proxied.log" 2>&1
$ENGINE compare "$OUT/direct/results.json" "$OUT/proxied/results.json" --markdown "$OUT/comparison.md" >/dev/null

python3 - "$OUT/direct/results.json" "$OUT/proxied/results.json" <<'PY'
import json, sys
direct, proxied = (json.load(open(p))["scenarios"] for p in sys.argv[1:3])
print(f"{'scenario':22} {'p50 ms':>15} {'p99 ms':>15} {'B/event client leg':>20} {'B/event target leg':>20} {'lost':>9}")
print(f"{'':22} {'direct → nginx':>15} {'direct → nginx':>15} {'direct → nginx':>20} {'direct → nginx':>20} {'d / n':>9}")
for d, p in zip(direct, proxied):
    leg = lambda s: s.get("serverBytes", {}).get("perEvent", {}).get("total", float("nan"))
    print(f"{d['name']:22} {d['latency']['event']['p50Ms']:6.2f} → {p['latency']['event']['p50Ms']:6.2f} "
          f"{d['latency']['event']['p99Ms']:6.2f} → {p['latency']['event']['p99Ms']:6.2f} "
          f"{d['bytes']['perEvent']['total']:8.1f} → {p['bytes']['perEvent']['total']:8.1f} "
          f"{leg(d):8.1f} → {leg(p):8.1f} {d['integrity']['lost']:4} / {p['integrity']['lost']}")
PY
echo "reports: $OUT/direct/report.html, $OUT/proxied/report.html; comparison: $OUT/comparison.md"
