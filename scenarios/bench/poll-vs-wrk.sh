#!/usr/bin/env bash
# Polling throughput: the engine's short-polling clients against wrk -t2 on the same target, same connection
# count, in the same run, alternated (engine, wrk, engine, wrk, …) so that noise on this shared machine shows
# as spread instead of hiding in one number. Acceptance (issue 3): engine ≥ 80% of wrk's requests/s.
#
#   scenarios/bench/poll-vs-wrk.sh            # C = 64 and 256, 2 rounds each
#   ROUNDS=3 scenarios/bench/poll-vs-wrk.sh 64
#
# One target for everything: the Release build, publishing 1 event/s of 100 bytes. Why not 0: with a silent
# feed every engine poll is `[]` and its event path (JSON parse, seq check, latency, byte split) never runs;
# at 1 event/s each engine connection gets one non-empty answer per second, so the engine does all its work
# and proves zero loss, while the server's cost per request stays that of `[]` (C small answers a second
# among tens of thousands). wrk asks /feed/poll without `after` ("only what is new from now"), which is
# always `[]`: a fixed `after` would make wrk's answers grow during the run and slow wrk down unfairly.
# Both tools: 10 s measured; the engine adds a 2 s warm-up (left out of its figure); wrk's own connects are
# inside its 10 s.
#
# The engine runs twice per round: as shipped, where `loadbench run` turns on inline socket completions for
# itself (Running/EngineProcess.cs: socket continuations run on the epoll threads, as in wrk's event loop,
# instead of one thread-pool hand-off, wake-up and context switch per request), and with
# DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0, the .NET default, to show what that setting is worth.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

CONNECTIONS=("${@:-64}")
if [[ $# -eq 0 ]]; then CONNECTIONS=(64 256); fi
ROUNDS=${ROUNDS:-2}
OUT=$(mktemp -d /tmp/poll-vs-wrk.XXXXXX)

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi

bench_build
bench_start_target "$OUT/target.log" --rate 1 --payload-bytes 100
trap 'bench_stop "$TARGET_PID"' EXIT
bench_load_note

# engine_run C ROUND LABEL [ENV...] : runs the engine once, prints its figures, appends requests/s to RESULT.
engine_run() {
  local c=$1 round=$2 label=$3; shift 3
  local dir="$OUT/engine-$label-$c-$round"
  env "$@" $ENGINE run "scenarios/bench/poll-$c.json" --target "$TARGET_URL" --output "$dir" --quiet >"$dir.log" 2>&1 \
    || { echo "engine run failed:" >&2; tail -n 20 "$dir.log" >&2; exit 1; }
  RESULT=$(bench_json "$dir/results.json" "round(d['scenarios'][0]['throughput']['requestsPerSecond'])")
  echo "C=$c round $round engine ($label): $RESULT requests/s ($(bench_json "$dir/results.json" "'events {} lost {} errors {} p99(request) {:.2f} ms'.format(d['scenarios'][0]['throughput']['eventsDelivered'], d['scenarios'][0]['integrity']['lost'], d['scenarios'][0]['errors']['count'], d['scenarios'][0]['latency']['request']['p99Ms'])"))"
}

summary=()
for c in "${CONNECTIONS[@]}"; do
  [[ -f scenarios/bench/poll-$c.json ]] || { echo "no scenario file scenarios/bench/poll-$c.json" >&2; exit 2; }
  shipped=(); inline=(); wrk_all=()
  for round in $(seq 1 "$ROUNDS"); do
    engine_run "$c" "$round" shipped; shipped+=("$RESULT")
    engine_run "$c" "$round" threadpool DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0; inline+=("$RESULT")
    w=$(wrk -t2 -c"$c" -d10s "$TARGET_URL/feed/poll?max=1000" | tee "$OUT/wrk-$c-$round.txt" | awk '/^Requests\/sec:/ {printf "%.0f", $2}')
    echo "C=$c round $round wrk -t2 -c$c:     $w requests/s ($(grep -E 'Socket errors|Non-2xx' "$OUT/wrk-$c-$round.txt" | tr -s ' ' || echo 'no errors'))"
    wrk_all+=("$w")
  done
  summary+=("$(python3 - "${shipped[*]}" "${inline[*]}" "${wrk_all[*]}" "$c" <<'PY'
import statistics, sys
shipped, inline, wrk = ([float(x) for x in a.split()] for a in sys.argv[1:4])
def line(name, engine):
    ratios = ", ".join(f"{e / w:.0%}" for e, w in zip(engine, wrk))
    return (f"  engine {name}: mean {statistics.mean(engine):.0f} req/s {[round(x) for x in engine]} -> "
            f"{statistics.mean(engine) / statistics.mean(wrk):.1%} of wrk (per round {ratios})")
print(f"C={sys.argv[4]}: wrk -t2 mean {statistics.mean(wrk):.0f} req/s {[round(x) for x in wrk]}")
print(line("as shipped (inline)    ", shipped))
print(line("thread-pool completions ", inline))
PY
)")
done

bench_load_note
echo
echo "=== poll-vs-wrk: engine vs wrk -t2 on $TARGET_URL/feed/poll (acceptance: ratio >= 80%) ==="
printf '%s\n' "${summary[@]}"
echo "raw output: $OUT"
