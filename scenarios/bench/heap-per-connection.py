#!/usr/bin/env python3
"""What one connection keeps alive, type by type (issue 14): the difference of two `dumpheap -stat -live` listings
(dotnet-dump's SOS) of the same process — one before any subscriber connected, one with N connected — divided by N,
grouped by who owns each type (Kestrel's connection and transport, Kestrel's HTTP/1.1 request, the HTTP context and
its features, the middleware pipeline, the WebSocket, cancellation, ours).

    heap-per-connection.py BEFORE.txt WITH.txt N [--min-bytes 8]
    heap-per-connection.py --self-test

A type whose count grows by about N (or 2 N …) is held once (twice …) per connection; a growth far below N is the
process's, shared (pools, JIT, caches), and shows as a fraction of a byte per connection. `-live` lists only objects
reachable from a root, so the sum is comparable to the run's retained-heap figure (a full collection's survivors).
Not `dotnet-gcdump report`: it prints one object's size per type, not the type's total.
"""
import re
import sys
from collections import defaultdict

# "    MT    Count    TotalSize Class Name" rows of `dumpheap -stat`.
LINE = re.compile(r"^\s*(?:0x)?[0-9a-fA-F]{8,16}\s+([\d,]+)\s+([\d,]+)\s+(.+?)\s*$")

# First match wins; an async state machine box is judged by the state machine inside it (the text after the
# box's own name), so a Kestrel method's box is Kestrel's and a middleware's is the pipeline's.
GROUPS = [
    ("ours", re.compile(r"LoadBench")),
    ("middleware pipeline", re.compile(
        r"Middleware|Microsoft\.AspNetCore\.Routing|Microsoft\.AspNetCore\.Http\.RequestDelegateFactory|"
        r"Microsoft\.AspNetCore\.Http\.Generated|Microsoft\.AspNetCore\.Diagnostics|StatusCodePages|RequestDelegate")),
    ("WebSocket", re.compile(r"WebSocket")),
    ("Kestrel HTTP/1.1 request", re.compile(
        r"Kestrel\.Core\.Internal\.Http\.|Http1|HttpRequestHeaders|HttpResponseHeaders|BodyControl|HttpRequestStream|"
        r"HttpResponseStream|HttpUpgradeStream|MessageBody")),
    ("Kestrel connection and transport", re.compile(
        r"Kestrel|System\.Net\.Sockets|System\.IO\.Pipelines|Microsoft\.AspNetCore\.Connections|SafeSocketHandle|"
        r"System\.Net\.IPEndPoint|System\.Net\.IPAddress|System\.Net\.SocketAddress|ThreadPoolBoundHandle|PreAllocatedOverlapped")),
    ("HTTP context and features", re.compile(
        r"Microsoft\.AspNetCore\.Http\.|Microsoft\.AspNetCore\.Routing|Microsoft\.Extensions\.DependencyInjection|"
        r"Microsoft\.Extensions\.Primitives|ServiceProviderEngineScope|Microsoft\.AspNetCore\.Hosting")),
    ("cancellation", re.compile(r"CancellationTokenSource|CancellationTokenRegistration|CallbackNode|Registrations")),
]


def group_of(type_name):
    box = type_name.find("AsyncStateMachineBox")
    inner = type_name[box:] if box >= 0 else type_name
    for name, pattern in GROUPS:
        if pattern.search(inner):
            return name
    return "other"


def parse(listing):
    """{type: (total bytes, count)} from `dumpheap -stat` output (a type listed twice, e.g. by two method tables of
    one name, is summed)."""
    types = defaultdict(lambda: [0, 0])
    for line in listing.splitlines():
        match = LINE.match(line)
        if not match or match.group(3) == "Free":
            continue
        types[match.group(3)][0] += int(match.group(2).replace(",", ""))
        types[match.group(3)][1] += int(match.group(1).replace(",", ""))
    return {name: (v[0], v[1]) for name, v in types.items()}


def report(path):
    with open(path, encoding="utf-8", errors="replace") as listing:
        return parse(listing.read())


def per_connection(before, with_clients, n):
    """[(group, type, bytes per connection, count per connection)], largest first."""
    rows = []
    for name in set(before) | set(with_clients):
        b = before.get(name, (0, 0))
        w = with_clients.get(name, (0, 0))
        rows.append((group_of(name), name, (w[0] - b[0]) / n, (w[1] - b[1]) / n))
    return sorted(rows, key=lambda r: -r[2])


def shorten(name, width=110):
    name = name.replace("System.Runtime.CompilerServices.", "").replace("Microsoft.AspNetCore.", "M.A.")
    return name if len(name) <= width else name[: width - 1] + "…"


def print_table(rows, n, min_bytes):
    total = sum(r[2] for r in rows)
    print(f"=== live heap per connection, {n} connections: {total:,.0f} B = {total / 1024:.2f} KiB ===")
    by_group = defaultdict(list)
    for row in rows:
        by_group[row[0]].append(row)
    for group, items in sorted(by_group.items(), key=lambda g: -sum(r[2] for r in g[1])):
        subtotal = sum(r[2] for r in items)
        print(f"\n## {group}: {subtotal:,.0f} B per connection")
        shown = [r for r in items if abs(r[2]) >= min_bytes]
        for _, name, size, count in shown:
            print(f"  {size:8.1f} B  {count:5.2f}×  {shorten(name)}")
        rest = subtotal - sum(r[2] for r in shown)
        if abs(rest) >= 0.05:
            print(f"  {rest:8.1f} B         (types under {min_bytes} B each)")


def self_test():
    sample = """
Statistics:
          MT Count TotalSize Class Name
7f3a1c2b4d10 1,000 2,000,000 System.Byte[]
7f3a1c2b4e20 1,000   840,000 Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.Http1Connection<Microsoft.AspNetCore.Hosting.HostingApplication+Context>
7f3a1c2b4f30 1,000   100,000 System.Byte[]
000055d0a1b2     5       500 Free
Total 3,005 objects, 2,940,500 bytes
"""
    parsed = parse(sample)
    assert parsed["System.Byte[]"] == (2_100_000, 2_000), parsed
    assert "Free" not in parsed, parsed
    assert group_of("System.Runtime.CompilerServices.AsyncTaskMethodBuilder<System.Threading.Tasks.VoidTaskResult>+AsyncStateMachineBox<Microsoft.AspNetCore.Diagnostics.StatusCodePagesMiddleware+<Invoke>d__3>") == "middleware pipeline"
    assert group_of("Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.Http1Connection") == "Kestrel HTTP/1.1 request"
    assert group_of("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.Internal.SocketConnection") == "Kestrel connection and transport"
    assert group_of("LoadBench.Target.Stats.ConnectionByteCounter") == "ours"
    assert group_of("System.Threading.CancellationTokenSource+Linked1CancellationTokenSource") == "cancellation"
    rows = per_connection({"A": (1000, 10)}, {"A": (5000, 50), "B": (200, 4)}, 4)
    assert rows[0][1:] == ("A", 1000.0, 10.0) and rows[1][1:] == ("B", 50.0, 1.0), rows
    print("self-test passed")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        sys.exit(0)
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    min_bytes = float(sys.argv[sys.argv.index("--min-bytes") + 1]) if "--min-bytes" in sys.argv else 8.0
    n = int(sys.argv[3])
    print_table(per_connection(report(sys.argv[1]), report(sys.argv[2]), n), n, min_bytes)
