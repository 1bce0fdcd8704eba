#!/usr/bin/env bash
# Where does the engine's CPU per delivery go? (issue 14) A reduced fanout-16k.sh — SSE and WebSocket subscribers
# in two engine processes against one target, 1 event/s of 256 B — with `perf record -g` on each engine during
# the measured phase (JIT'd code named through DOTNET_PerfMapEnabled=1), then every sample put in one area by
# its stack: the first frame from the leaf up that a rule names (kernel recv, epoll, scheduling, the .NET socket
# engine, thread pool, our parse, histogram, sequence check, clock, GC, JIT, …). Shares, not µs: they hold on a
# busy machine, absolute figures do not.
#
#   scenarios/bench/engine-profile.sh                 # 2,000 + 2,000 subscribers, 15 s of samples (about 1 min)
#   SSE=8000 WS=8000 scenarios/bench/engine-profile.sh
#   ENGINE_ENV="DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1" scenarios/bench/engine-profile.sh
#
# Also printed per engine: CPU, voluntary/involuntary context switches and deliveries in the sampled window
# (context switches per delivery tell how often a wake-up served one event only).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scenarios/bench/lib.sh

SSE=${SSE:-2000}
WS=${WS:-2000}
SECONDS_SAMPLED=${SECONDS_SAMPLED:-15}
OUT=$(mktemp -d /tmp/engine-profile.XXXXXX)
command -v perf >/dev/null || { echo "perf is missing: apt-get install -y linux-perf" >&2; exit 1; }

bench_build
# W^X off: JIT'd code then lies in anonymous memory, which perf names through the perf map (with W^X it shows
# as an unnamed memfd mapping).
ENGINE="env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 ${ENGINE#env }"
bench_fanout_start

# The measured phase starts after the 15 s warm-up; sample from 18 s on.
sleep 18
proc_line() { # PID -> "cpu_ticks voluntary involuntary" (context switches summed over the process's threads)
  echo "$(bench_cpu_ticks "$1") $(cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {v+=$2} /^nonvoluntary_ctxt_switches/ {n+=$2} END {print v+0, n+0}')"
}
# The window's deliveries, counted by the target: events it wrote to that transport's subscribers (all of them this
# engine's) between the two readings. Not the run's average rate, which is wrong for a window whenever the run did not
# deliver evenly (it did not while fanout-16k's two engines ran out of step, session 10).
events_sent() { bench_events_sent "$(curl -sf --max-time 2 "$TARGET_URL/stats" || echo '{}')" "$1"; }
i=0
for t in sse ws; do
  pid=${ENGINE_PIDS[$i]}
  echo "$(proc_line "$pid") $(date +%s.%N) $(events_sent "$t")" >"$OUT/$t.before"
  perf record -F 999 -g -p "$pid" -o "$OUT/$t.perf" -- sleep "$SECONDS_SAMPLED" >"$OUT/$t.perf.log" 2>&1 &
  i=$((i + 1))
done
sleep "$SECONDS_SAMPLED"
wait_perf() { for _ in $(seq 1 100); do pgrep -f "perf record -F 999 -g -p" >/dev/null || return 0; sleep 0.2; done; }
i=0
for t in sse ws; do
  echo "$(proc_line "${ENGINE_PIDS[$i]}") $(date +%s.%N) $(events_sent "$t")" >"$OUT/$t.after"
  i=$((i + 1))
done
wait_perf
status=0
wait "${ENGINE_PIDS[0]}" || status=$?
wait "${ENGINE_PIDS[1]}" || status=$?
bench_load_note
for t in sse ws; do
  perf script -i "$OUT/$t.perf" -F comm,tid,ip,sym,dso 2>/dev/null >"$OUT/$t.script" || true
done

python3 - "$OUT" "$(getconf CLK_TCK)" <<'EOF'
import json, os, re, sys
out, hz = sys.argv[1], int(sys.argv[2])
# First rule, from the leaf up, that names a frame decides the sample's area. Order matters only within a frame.
RULES = [
    ("GC", r"gc_heap::|GCHeap::|WKS::|SVR::|GCToEEInterface|gc_mechanisms|mark_object|plan_phase|background_|memclr|GarbageCollect"),
    ("clock reads", r"clock_gettime|__vdso|GetUtcNow|NowMicros|GetSystemTimeAsFileTime|SystemNative_GetTimestamp|get_UtcNow|read_tsc|ktime_get"),
    ("histogram recording", r"HdrHistogram|LatencyRecorders|WriterReaderPhaser"),
    ("sequence check", r"SequenceChecker"),
    ("counters and byte meter", r"WireMeter|ClientCounters|CountingStream::Count|HttpMessageScanner|WebSocketFrameScanner"),
    ("our parse (SSE reader, JSON, chunks)", r"SseEventReader|FeedEventReader|Utf8JsonReader|ResponseBodyReader|SseClient::Take|SseClient::ParseItem|SseClient::OnItem|WebSocketClient::OnMessage"),
    ("scheduling (sleep / wake-up)", r"\bschedule\b|__schedule|finish_task_switch|try_to_wake_up|futex|pick_next|dequeue_task|enqueue_task|switch_mm|__switch_to"),
    ("kernel recv (incl. ACKs it sends)", r"recvfrom|recvmsg|sys_recv|tcp_recvmsg|tcp_cleanup_rbuf|sock_recvmsg|SystemNative_Receive"),
    ("kernel send", r"sendto|sendmsg|sys_send|tcp_sendmsg|SystemNative_Send"),
    ("kernel epoll", r"epoll|ep_poll|ep_send_events|SystemNative_WaitForSocketEvents"),
    ("managed WebSocket and its streams", r"ManagedWebSocket|PooledReceiveStream|CountingStream|PrefixedStream|WebSocket::"),
    (".NET socket engine dispatch", r"SocketAsyncEngine|SocketAsyncContext|SocketAsyncEventArgs|AwaitableSocketAsyncEventArgs|Sockets\.Socket"),
    ("thread pool", r"ThreadPool|WorkerThread|LowLevelLifoSemaphore|PortableThreadPool|ThreadPoolWorkQueue|LowLevelSpinWaiter|SpinWait"),
    ("async machinery (state machines, contexts)", r"AsyncTaskMethodBuilder|AsyncValueTaskMethodBuilder|PoolingAsyncValueTaskMethodBuilder|ExecutionContext|AsyncStateMachineBox|ValueTask|Task`1|TaskAwaiter|ManualResetValueTaskSourceCore|\.Tasks\.Task::"),
    ("scheduler and sampling of the engine", r"ClosedLoadDriver|PhaseSampler|ScenarioExecutor|ServerCostSampler|Snapshot"),
    ("array pool", r"ArrayPool|SharedArrayPool"),
]
compiled = [(area, re.compile(p)) for area, p in RULES]
# Checked over the whole stack first: work done for the JIT, and spinning, whatever the leaf.
WHOLE_STACK = [
    ("JIT (compiling, tiering up)", re.compile(r"libclrjit")),
    ("spin-waiting (sched_yield)", re.compile(r"sched_yield")),
]

def area_of(frames):
    for area, rx in WHOLE_STACK:
        if any(rx.search(f"{sym} {dso}") for sym, dso in frames):
            return area
    for sym, dso in frames:
        text = f"{sym} {dso}"
        for area, rx in compiled:
            if rx.search(text):
                return area
    sym, dso = frames[0] if frames else ("?", "?")
    if "kernel" in dso:
        return "other kernel"
    if "libcoreclr" in dso:
        return "runtime native (libcoreclr, no symbols: GC, stubs, type system)"
    if dso.startswith("/tmp/perf-") or "perf-" in dso or dso.endswith(".map"):
        return "other managed"
    return "other native (" + os.path.basename(dso) + ")"

def parse(path):
    samples, frames = [], []
    for line in open(path, errors="replace"):
        if not line.strip():
            if frames:
                samples.append(frames); frames = []
            continue
        if not line.startswith((" ", "\t")):
            continue  # the sample's header line (comm, tid)
        m = re.match(r"\s*[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$", line)
        if m:
            frames.append((m.group(1), m.group(2)))
    if frames:
        samples.append(frames)
    return samples

print()
print("=== engine profile: share of perf samples per area (first matching frame from the leaf up) ===")
for t in ("sse", "ws"):
    script = os.path.join(out, f"{t}.script")
    if not os.path.exists(script):
        print(f"{t}: no perf script"); continue
    samples = parse(script)
    counts = {}
    for s in samples:
        a = area_of(s)
        counts[a] = counts.get(a, 0) + 1
    b = open(os.path.join(out, f"{t}.before")).read().split()
    a = open(os.path.join(out, f"{t}.after")).read().split()
    secs = float(a[3]) - float(b[3])
    cpu = (int(a[0]) - int(b[0])) / hz
    vol, invol = int(a[1]) - int(b[1]), int(a[2]) - int(b[2])
    deliveries = None
    if len(a) > 4 and len(b) > 4 and a[4].isdigit() and b[4].isdigit():
        deliveries = int(a[4]) - int(b[4]) or None  # the target's count over the window (see events_sent)
    else:
        res = os.path.join(out, t, "results.json")
        if os.path.exists(res):  # no /stats reading: the run's average rate over the window
            s = json.load(open(res))["scenarios"][0]
            deliveries = s["throughput"]["eventsDelivered"] / s["durationSeconds"] * secs
    print(f"{t}: {len(samples)} samples over {secs:.1f} s; CPU {cpu:.2f} s = {cpu / secs:.2f} cores"
          + (f"; {deliveries:,.0f} deliveries = {cpu / deliveries * 1e6:.1f} µs each; context switches per delivery: "
             f"{vol / deliveries:.2f} voluntary, {invol / deliveries:.2f} involuntary" if deliveries else ""))
    for area, c in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"   {100 * c / max(1, len(samples)):5.1f} %  {area}")
print(f"raw output: {out} (perf report -i {out}/sse.perf --no-children --sort sym)")
EOF
exit $status
