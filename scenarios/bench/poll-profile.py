#!/usr/bin/env python3
"""Sums `perf script` call stacks of the polling engine into areas (read from stdin; see poll-profile.sh).

Each sample goes to one area. Kernel work is named by the system call it serves, found anywhere in the stack
(a send's TCP work, loopback delivery included, is "kernel send"); otherwise the innermost frame that belongs to a
known area decides, so an Interlocked inside the histogram counts as latency recording, not as the runtime.
Areas are rules in order: the first whose pattern matches wins. Prints percent of all samples, by area and by
thread name (perf's comm: ".NET SocketEng", ".NET TP Worker", ".NET Server GC", …).
"""
import re
import sys
from collections import Counter

# Kernel areas: searched over the whole stack, first rule that matches any frame wins.
KERNEL = [
    ("kernel: send (sendto/sendmsg, loopback delivery to the target)", r"__x64_sys_sendto|__sys_sendto|__x64_sys_sendmsg|__sys_sendmsg|tcp_sendmsg"),
    ("kernel: recv (recvfrom/recvmsg)", r"__x64_sys_recvfrom|__sys_recvfrom|__x64_sys_recvmsg|__sys_recvmsg|tcp_recvmsg"),
    ("kernel: epoll_wait", r"do_epoll_wait|__x64_sys_epoll_wait|__x64_sys_epoll_pwait"),
    ("kernel: futex (thread wake-ups and waits)", r"__x64_sys_futex|do_futex"),
    ("kernel: sched_yield", r"__x64_sys_sched_yield"),
    ("kernel: other system calls", r"do_syscall_64|entry_SYSCALL"),
]
# User-space areas: the innermost frame matching any of these decides.
USER = [
    ("GC", r"gc_heap::|GCHeap::|\bSVR::|\bWKS::|GarbageCollect|gc_thread|BackgroundGC"),
    ("response head scanning (HttpMessageScanner)", r"HttpMessageScanner"),
    ("JSON / event array (Utf8JsonReader, FeedEventReader)", r"Utf8JsonReader|FeedEventReader|DeliverArray|JsonReaderHelper"),
    ("sequence checking and delivery (SequenceChecker, ClientCore.Deliver)", r"SequenceChecker|ClientCore::Deliver"),
    ("latency recording (HdrHistogram)", r"HdrHistogram|LatencyRecorders|WriterReaderPhaser"),
    ("byte accounting (WireMeter, ClientCounters)", r"WireMeter|ClientCounters"),
    ("timers and cancellation", r"TimerQueue|System\.Threading\.Timer|ITimer|CancellationToken|CancelAfter|TimeProvider"),
    ("request head (RequestHead, Utf8Formatter)", r"RequestHead|Utf8Formatter|Number::"),
    ("socket engine, managed (SocketAsyncContext/Engine, SAEA)", r"SocketAsyncContext|SocketAsyncEngine|SocketAsyncEventArgs|SocketPal|System\.Net\.Sockets"),
    ("thread pool", r"ThreadPool|WorkerThread|PortableThreadPool|LowLevelLifoSemaphore|WorkStealingQueue"),
    ("async machinery (state machines, ValueTask sources)", r"AsyncTaskMethodBuilder|AsyncValueTaskMethodBuilder|PoolingAsyncValueTask|AsyncStateMachineBox|ManualResetValueTaskSourceCore|ValueTask|AsyncMethodBuilderCore|ExecutionContext|TaskAwaiter|Task`1|System\.Threading\.Tasks"),
    ("polling loop, own code (PollExchange, KeepAliveConnection, ClientCore)", r"PollExchange|KeepAliveConnection|ClientCore|PollingClient"),
    ("libc / runtime native (syscall wrappers, coreclr)", r"libc\.so|libcoreclr|libSystem\.Native|libclrjit|ld-linux"),
]


def area(frames):
    kernel = [f for f in frames if "[kernel" in f]
    for name, pattern in KERNEL:
        if kernel and any(re.search(pattern, f) for f in kernel):
            return name
    if kernel and len(kernel) == len(frames):
        return "kernel: interrupts and other"
    for f in frames:  # leaf first
        for name, pattern in USER:
            if re.search(pattern, f):
                return name
    return "other (unresolved frames)"


def samples(lines):
    head, frames = None, []
    for line in lines:
        if not line.strip():
            if head is not None:
                yield head, frames
            head, frames = None, []
        elif not line[0].isspace():
            head = line
        else:
            frames.append(line.strip())
    if head is not None:
        yield head, frames


def main():
    areas, threads = Counter(), Counter()
    for head, frames in samples(sys.stdin):
        areas[area(frames)] += 1
        # The comm is everything before the tid (or pid/tid) and the time: ".NET Sockets  1034 63958.25: …".
        match = re.match(r"\s*(.*?)\s+\d+(?:/\d+)?\s+\d+\.\d+:", head)
        threads[match.group(1) if match else "?"] += 1
    total = sum(areas.values())
    if total == 0:
        print("no samples")
        return
    print(f"\n{total} samples of the engine, by area (percent of all):")
    for name, n in areas.most_common():
        print(f"  {100 * n / total:5.1f}%  {name}")
    print("by thread:")
    for name, n in threads.most_common(8):
        print(f"  {100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
