# Shared by the benchmark scripts in this folder (sourced, not run). Bash; loopback only.

# Builds the Release target and the Release `loadbench` (the engine is measured as users run it, through
# `loadbench run`). Sets TARGET_DLL and ENGINE (a command line).
bench_build() {
  dotnet build src/LoadBench.Target/LoadBench.Target.csproj -c Release -v q -nologo >/dev/null
  dotnet build src/LoadBench.Cli/LoadBench.Cli.csproj -c Release -v q -nologo >/dev/null
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
bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# bench_rss_kib PID : resident set size in KiB.
bench_rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# bench_json FILE EXPRESSION : evaluates a Python expression over the parsed JSON document `d`.
bench_json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
