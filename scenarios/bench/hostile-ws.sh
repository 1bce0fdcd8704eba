#!/usr/bin/env bash
# Hostile WebSocket clients (issue 12): is the target's memory bounded while clients send a huge frame or flood
# small ones to the receive-only feed, and does a normal subscriber beside them lose nothing?
#
#   scenarios/bench/hostile-ws.sh            # 100 clients x 8 MiB, then 100 x 32 MiB, at 20 events/s
#   CLIENTS=200 MIB=16 scenarios/bench/hostile-ws.sh
#
# Acceptance: every misbehaving client closed with 1008 or 1009; the target's RSS peak does not grow with the
# bytes sent (a few hundred KiB per open misbehaving connection at most); the normal subscriber gets every event.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

OUT=$(mktemp -d /tmp/hostile-ws.XXXXXX)
bench_build
bench_load_note
bench_start_target "$OUT/target.log" --rate 20
trap 'bench_stop "$TARGET_PID"' EXIT
port=${TARGET_URL##*:}
if [[ -n ${CLIENTS:-} || -n ${MIB:-} ]]; then
  python3 scenarios/bench/hostile-ws.py "$port" "$TARGET_PID" "${CLIENTS:-100}" "${MIB:-8}"
else
  python3 scenarios/bench/hostile-ws.py "$port" "$TARGET_PID" 100 8
  python3 scenarios/bench/hostile-ws.py "$port" "$TARGET_PID" 100 32
fi
curl -sf "$TARGET_URL/feed/info" >/dev/null && echo "target still answers /feed/info"
bench_load_note
