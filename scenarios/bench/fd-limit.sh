#!/usr/bin/env bash
# At the open-file limit (issue 3): target and engine must refuse or report new connections clearly and keep
# serving the ones they have — where a plain Kestrel app and a plain ClientWebSocket loop printed
# "Out of memory." and stopped answering.
#
#   scenarios/bench/fd-limit.sh                          # quick: limits lowered with ulimit -n
#   ENGINE_FDS=20000 COPIES=21000 scenarios/bench/fd-limit.sh engine   # the real 20,000 limit (slower)
#
# Case "engine": the engine runs under `ulimit -n ENGINE_FDS` (default 1,500) and is asked for COPIES SSE
#   copies (default 2,000). Its fd budget starts what fits and counts each refused copy once as fd_limit;
#   every started copy must get every event (lost 0, no other error).
# Case "target": the target runs under `ulimit -n TARGET_FDS` (default 1,600, so --max-connections defaults to
#   600) and the engine asks for 800 WebSocket copies. The target answers the extra upgrades 503 (counted by
#   the engine as http_503, by the target as rejectedConnections); the 600 it holds must get every event.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

CASES=("${@:-engine target}")
[[ $# -eq 0 ]] && CASES=(engine target)
ENGINE_FDS=${ENGINE_FDS:-1500}
COPIES=${COPIES:-2000}
TARGET_FDS=${TARGET_FDS:-1600}
OUT=$(mktemp -d /tmp/fd-limit.XXXXXX)
bench_build
bench_load_note

report() { # report RESULTS_JSON
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); s = d["scenarios"][0]
print(f"  clients running (peak): {s['clients']}, events delivered {s['throughput']['eventsDelivered']}, "
      f"lost {s['integrity']['lost']}, duplicates {s['integrity']['duplicates']}, reconnects {s['integrity']['reconnects']}, "
      f"p99 {s['latency']['event']['p99Ms']:.1f} ms, errors by kind {dict(s['errors']['byKind'])}")
PY
}

for case in "${CASES[@]}"; do
  case $case in
    engine)
      echo "--- engine at its open-file limit: ulimit -n $ENGINE_FDS, $COPIES SSE copies asked ---"
      sed "s/\"copies\": 21000/\"copies\": $COPIES/" scenarios/bench/fd-limit-sse.json >"$OUT/engine.json"
      bench_start_target "$OUT/target-engine-case.log" --rate 0
      status=0
      ( ulimit -n "$ENGINE_FDS"; $ENGINE run "$OUT/engine.json" --target "$TARGET_URL" --output "$OUT/engine" --quiet ) >"$OUT/engine.log" 2>&1 || status=$?
      echo "  loadbench exit code $status; 'Out of memory' or 'Too many open files' in its output: $(grep -c -i -E 'out of memory|too many open files' "$OUT/engine.log" || true) lines; what it says about fd_limit:"
      grep -i 'fd_limit' "$OUT/engine.log" | sed 's/^/    /' || true
      report "$OUT/engine/results.json"
      echo "  target still answers: $(curl -sf "$TARGET_URL/feed/info")"
      bench_stop "$TARGET_PID"
      ;;
    target)
      echo "--- target at its open-file limit: its ulimit -n $TARGET_FDS (max connections = limit - 1000), 800 WebSocket copies asked ---"
      cp scenarios/bench/fd-limit-ws.json "$OUT/target.json"
      ( ulimit -n "$TARGET_FDS"; bench_start_target "$OUT/target-target-case.log" --rate 0; echo "$TARGET_PID $TARGET_URL" >"$OUT/target.pid"; wait ) >/dev/null 2>&1 &
      for _ in $(seq 1 100); do [[ -s $OUT/target.pid ]] && break; sleep 0.2; done
      read -r TARGET_PID TARGET_URL <"$OUT/target.pid"
      echo "  target pid $TARGET_PID, open-file limit $(awk '/Max open files/ {print $4}' "/proc/$TARGET_PID/limits")"
      status=0
      $ENGINE run "$OUT/target.json" --target "$TARGET_URL" --output "$OUT/target" --quiet >"$OUT/target.log" 2>&1 || status=$?
      echo "  loadbench exit code $status"
      report "$OUT/target/results.json"
      echo "  target after the run: $(curl -sf "$TARGET_URL/stats" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("rejectedConnections", d["rejectedConnections"], "ws eventsSent", d["transports"]["ws"]["eventsSent"])')"
      echo "  target log: $(grep -c 'Refusing new connections' "$OUT/target-target-case.log" || true) 'Refusing new connections' warnings (at most one a second), $(grep -c -i 'out of memory' "$OUT/target-target-case.log" || true) 'Out of memory'"
      echo "  target still answers: $(curl -sf "$TARGET_URL/feed/info")"
      bench_stop "$TARGET_PID"
      ;;
  esac
done
echo "raw output: $OUT"
