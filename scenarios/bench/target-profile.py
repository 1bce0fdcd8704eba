#!/usr/bin/env python3
"""(scenarios/bench/target-profile.sh) Classifies every perf sample of the target by its call chain (perf script output on stdin): where a delivery's
CPU goes, in shares of all samples."""
import re, sys, collections
rules_chain = [
    ("socket write syscall: kernel TCP + loopback, incl. queuing to and waking the reader", re.compile(r"\b(__send|__sys_sendto|__x64_sys_sendto|__sys_sendmsg)\b")),
    ("socket engine: epoll wait/reads (Kestrel's socket threads)", re.compile(r"\b(epoll_wait|do_epoll_wait|__sys_recvfrom|__x64_sys_recvfrom|__libc_recv|SocketAsyncEngine::EventLoop)\b")),
    ("thread-pool wake-ups, spinning and context switches", re.compile(r"(sched_yield|LowLevelLifoSemaphore|futex|\bschedule\b|__schedule|finish_task_switch|try_to_wake_up)")),
]
leaf_rules = [
    ("Kestrel / pipelines (response writes, flush, chunking, socket send loop)", re.compile(r"\[(Microsoft\.AspNetCore[\w.]*|System\.IO\.Pipelines|System\.Net\.Sockets|System\.Net\.WebSockets)\]")),
    ("our code (LoadBench.Target: follow, framing, fan-out, counting)", re.compile(r"\[LoadBench\.")),
    ("async machinery (state machines, tasks, continuations, cancellation)", re.compile(r"System\.(Threading\.Tasks\.|Threading\.Tasks|Runtime\.CompilerServices\.(Async|ValueTask|ConfiguredValueTask|TaskAwaiter|PoolingAsync)|Threading\.ExecutionContext|Threading\.CancellationToken|Threading\.CancellationTokenSource|Threading\.Tasks\.Sources)")),
    ("thread-pool dispatch (managed)", re.compile(r"System\.Threading\.(ThreadPool|PortableThreadPool|ThreadPoolWorkQueue|ThreadInt64PersistentCounter)")),
    ("locks / interlocked", re.compile(r"System\.Threading\.(Lock|Monitor|SemaphoreSlim|SpinWait|Interlocked)")),
]
def classify(chain):
    text = "\n".join(chain)
    for name, rx in rules_chain:
        if rx.search(text):
            return name
    leaf = chain[0] if chain else ""
    if "[kernel.kallsyms]" in leaf or leaf.endswith("([kernel.kallsyms])"):
        return "kernel other (syscall entry/exit, timers, interrupts, page faults)"
    if "libclrjit" in leaf:
        return "JIT compiler (profiling artefact: ReadyToRun off so every method has a symbol)"
    owners = re.findall(r"\[([\w.]+)\] ?([^\s\[\]]+)::", leaf)
    if owners:
        assembly, owner = owners[-1]
        if assembly.startswith("LoadBench."):
            return "our code (LoadBench.Target: follow, framing, fan-out, counting)"
        if assembly.startswith(("Microsoft.AspNetCore", "System.IO.Pipelines", "System.Net.Sockets", "System.Net.WebSockets")):
            return "Kestrel / pipelines (response writes, flush, chunking, socket send loop)"
        for name, rx in leaf_rules[2:]:
            if rx.search(owner):
                return name
        return "other managed (BCL: spans, memory copies, collections)"
    if "libcoreclr" in leaf or "libclrjit" in leaf or "stub " in leaf or "JIT_" in leaf:
        return "runtime native (GC, allocation, write barriers, stubs; unsymbolized)"
    if "[JIT]" in leaf or "perf-" in leaf or "::" in leaf:
        return "other managed (BCL: spans, memory copies, collections)"
    return "other native (libc, loader)"
counts = collections.Counter(); total = 0; chain = []
top = collections.Counter()
def flush():
    global chain, total
    if chain:
        c = classify(chain); counts[c] += 1; total += 1
        top[(c, re.sub(r"^\s*[0-9a-f]+\s+", "", chain[0])[:120])] += 1
    chain = []
for line in sys.stdin:
    if not line.strip():
        flush(); continue
    if line.startswith((" ", "\t")):
        chain.append(line.strip())
flush()
for name, n in counts.most_common():
    print(f"{100*n/total:5.1f}%  {name}")
print(f"({total} samples)")
if len(sys.argv) > 1:
    print("\ntop leaves:")
    for (c, leaf), n in top.most_common(int(sys.argv[1])):
        print(f"{100*n/total:5.2f}%  {leaf}")
