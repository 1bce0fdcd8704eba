# Shared by the benchmark scripts in this folder (sourced, not run). Bash; loopback only.

# Builds the Release target and the Release `loadbench` (the engine is measured as users run it, through
# `loadbench run`). Sets TARGET_DLL and ENGINE (a command line).
# BENCH_NO_BUILD=1 skips the builds (a series of runs of one build, e.g. ENGINE_ENV experiments).
bench_build() {
  if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
    dotnet build src/LoadBench.Target/LoadBench.Target.csproj -c Release -v q -nologo >/dev/null
    dotnet build src/LoadBench.Cli/LoadBench.Cli.csproj -c Release -v q -nologo >/dev/null
  fi
  TARGET_DLL=src/LoadBench.Target/bin/Release/net10.0/LoadBench.Target.dll
  local dll
  dll=$(ls src/LoadBench.Cli/bin/Release/net10.0/loadbench.dll src/LoadBench.Cli/bin/Release/net10.0/LoadBench.Cli.dll 2>/dev/null | head -1 || true)
  [[ -n $dll ]] || { echo "no loadbench dll under src/LoadBench.Cli/bin/Release/net10.0" >&2; return 1; }
  ENGINE="env ${ENGINE_ENV:-} dotnet $dll"
}

# bench_start_target LOGFILE ARGS... : starts the Release target on a free loopback port; sets TARGET_PID and
# TARGET_URL once it answers GET /feed/info.
bench_start_target() {
  local log=$1; shift
  env ${TARGET_ENV:-} dotnet "$TARGET_DLL" --urls http://127.0.0.1:0 "$@" >"$log" 2>&1 &
  TARGET_PID=$!
  TARGET_URL=""
  for _ in $(seq 1 150); do
    TARGET_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)
    if [[ -n $TARGET_URL ]] && curl -sf "$TARGET_URL/feed/info" >/dev/null; then
      echo "target: pid $TARGET_PID at $TARGET_URL ($*)"
      return 0
    fi
    sleep 0.2
  done
  echo "the target did not start; its log:" >&2
  cat "$log" >&2
  return 1
}

bench_stop() {
  local pid
  for pid in "$@"; do
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}

# What else is using the two cores right now: the load average and the busiest processes (other engineers'
# builds share this machine, and the figures mean little without it).
bench_load_note() {
  echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores; busiest now:"
  top -bn1 -o %CPU | sed -n '8,12p' | awk '{printf "  %6s%% %s (pid %s)\n", $9, $12, $1}'
}

# bench_cpu_ticks PID : user+system CPU time of a process in clock ticks (see proc(5), fields 14 and 15).
# Read with bash's own builtins, no awk: the samplers call these every second (or quarter second) beside the load they
# measure, and every process started there takes CPU from it.
bench_cpu_ticks() {
  local line fields
  read -r line <"/proc/$1/stat" || return 1
  read -r -a fields <<<"${line##*) }" # after the command name: state is field 3, utime 14 and stime 15
  echo $((fields[11] + fields[12]))
}

# bench_rss_kib PID : resident set size in KiB.
bench_rss_kib() {
  local key value _
  while read -r key value _; do
    [[ $key == VmRSS: ]] && { echo "$value"; return 0; }
  done <"/proc/$1/status"
  return 1
}

# bench_open_connections STATS_JSON TRANSPORT : the target's open connections of TRANSPORT in a /stats answer, "?" when
# it is not there. Bash's own regex, not python: the samplers run it every second beside the load they measure, and one
# python start costs ~0.35 s of CPU on this machine (`time python3 -c pass`: more than the target's whole CPU in
# fanout-16k.sh, until session 10 the sampler did exactly that once a second).
bench_open_connections() {
  if [[ $1 =~ \"$2\":\{\"openConnections\":([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; else echo "?"; fi
}

# bench_events_sent STATS_JSON TRANSPORT : events the target has written to TRANSPORT's clients since it started, "?"
# when not there (the same bash regex, for the same reason).
bench_events_sent() {
  if [[ $1 =~ \"$2\":\{[^}]*\"eventsSent\":([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; else echo "?"; fi
}

# bench_rejected_connections STATS_JSON : the target's rejected connections in a /stats answer, "?" when not there.
bench_rejected_connections() {
  if [[ $1 =~ \"rejectedConnections\":([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; else echo "?"; fi
}

# bench_json FILE EXPRESSION : evaluates a Python expression over the parsed JSON document `d`.
bench_json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# bench_free_port : a loopback port that is free now.
bench_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# bench_wait_port PORT PID WHAT : waits (10 s at most) until PORT accepts connections, failing if PID died.
bench_wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$3 exited before it listened" >&2; return 1; }
    sleep 0.1
  done
  echo "$3 did not listen on port $1 within 10 s" >&2; return 1
}

# bench_start_nats DIR : nats-server with JetStream on a free loopback port, its store and config in DIR (never the
# system service); sets NATS_PID and NATS_URL.
bench_start_nats() {
  local dir=$1 port
  command -v nats-server >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
  command -v nats-server >/dev/null 2>&1 || { echo "nats-server is missing: apt-get install -y nats-server" >&2; return 1; }
  port=$(bench_free_port)
  mkdir -p "$dir"
  printf 'listen: 127.0.0.1:%s\njetstream { store_dir: "%s/jetstream" }\n' "$port" "$dir" >"$dir/nats.conf"
  nats-server -c "$dir/nats.conf" >"$dir/nats.log" 2>&1 &
  NATS_PID=$!
  bench_wait_port "$port" "$NATS_PID" nats-server
  NATS_URL="nats://127.0.0.1:$port"
  echo "nats-server: pid $NATS_PID at $NATS_URL"
}

# bench_start_nginx DIR WORKERS UPSTREAM... : nginx with deploy/nginx's configuration, rendered for these upstreams
# (host:port) on a free loopback port, in the foreground of its own process; sets NGINX_PID (the master) and NGINX_URL.
bench_start_nginx() {
  local dir=$1 workers=$2 port args=(); shift 2
  command -v nginx >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
  command -v nginx >/dev/null 2>&1 || { echo "nginx is missing: apt-get install -y nginx" >&2; return 1; }
  port=$(bench_free_port)
  for u in "$@"; do args+=(--upstream "$u"); done
  deploy/nginx/render.sh --listen "127.0.0.1:$port" --prefix "$dir" --workers "$workers" "${args[@]}" >/dev/null
  nginx -e stderr -p "$dir" -c "$dir/nginx.conf" >"$dir/stderr.log" 2>&1 &
  NGINX_PID=$!
  bench_wait_port "$port" "$NGINX_PID" nginx
  NGINX_URL="http://127.0.0.1:$port"
  echo "nginx: pid $NGINX_PID at $NGINX_URL, $workers workers, upstreams $*"
}

# bench_fanout_start : fanout-16k's setup, shared with engine-profile.sh. Writes the SSE and WebSocket plans with
# $SSE and $WS copies into $OUT, starts the target (1 event/s is set by the plans) and one `$ENGINE run` per
# transport in the background; sets TARGET_PID, TARGET_URL and ENGINE_PIDS, and stops them all on exit.
bench_fanout_start() {
  local t n
  for t in sse ws; do
    n=${t^^}; n=${!n}
    sed "s/\"copies\": 8000/\"copies\": $n/" "scenarios/bench/fanout-$t-8000.json" >"$OUT/fanout-$t.json"
  done
  bench_start_target "$OUT/target.log" --rate 0 --payload-bytes 256
  ENGINE_PIDS=()
  trap 'bench_stop "${ENGINE_PIDS[@]}" "$TARGET_PID"' EXIT
  bench_load_note
  # Both engines at once; their output goes to logs, the figures come from results.json.
  $ENGINE run "$OUT/fanout-sse.json" --target "$TARGET_URL" --output "$OUT/sse" --quiet >"$OUT/sse.log" 2>&1 &
  ENGINE_PIDS+=($!)
  $ENGINE run "$OUT/fanout-ws.json" --target "$TARGET_URL" --output "$OUT/ws" --quiet >"$OUT/ws.log" 2>&1 &
  ENGINE_PIDS+=($!)
}

# bench_poll_plan SRC DST WARMUP_S DURATION_S : a copy of a polling plan (scenarios/bench/poll-C.json) with every
# scenario's warm-up and every load step's duration set, in seconds (poll-vs-wrk.sh and poll-profile.sh).
bench_poll_plan() {
  python3 - "$@" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
plan.pop("$schema", None)
for s in plan["scenarios"]:
    s["warmUp"] = f"{sys.argv[3]}s"
    for step in s["load"]:
        step["during"] = f"{sys.argv[4]}s"
json.dump(plan, open(sys.argv[2], "w"))
PY
}
