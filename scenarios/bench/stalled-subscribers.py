#!/usr/bin/env python3
"""Stalled subscribers for scenarios/bench/slow-consumers.sh: opens COUNT feed subscriptions (half SSE, half
WebSocket, alternating) to a LoadBench target and never reads a byte from them, like a client that hung.

Each socket advertises an Ethernet-sized MSS (1460, set before connect). On loopback the MSS is about 64 KB, and
Linux sizes a sender's socket buffer from it (about 2.6 MB per connection at the start), which would let 1,000
stalled connections take gigabytes of kernel memory on a shared machine; with 1460, as with any real client on a
network, the target's send buffer starts near 80 KB. The receive buffer keeps the kernel's default.

Once a second it prints one line: seconds since start, how many of its connections are established and how many
the target has closed or reset (read from TCP_INFO, never by reading the socket), and what the kernel holds for
them, from `ss -tmn`: payload bytes queued (the client's Recv-Q plus the target's Send-Q) and socket memory
charged (skmem r + w, both ends). Runs until SIGTERM or SIGINT. Python 3 standard library only.

usage: stalled-subscribers.py http://127.0.0.1:PORT COUNT
"""
import base64
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time

TCP_ESTABLISHED = 1


def open_stalled(host, port, path, websocket):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 1460)
    sock.connect((host, port))
    if websocket:
        key = base64.b64encode(os.urandom(16)).decode()
        head = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
    else:
        head = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n"
    sock.sendall(head.encode())
    return sock


def tcp_state(sock):
    try:
        return struct.unpack("B", sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1))[0]
    except OSError:
        return 0


SKMEM = re.compile(r"skmem:\(r(\d+),rb\d+,t(\d+),tb\d+,f\d+,w(\d+)")


def kernel_held(ports, target_port):
    """(payload bytes queued, socket memory charged) for the connections whose client port is in `ports`."""
    out = subprocess.run(["ss", "-tmnH"], capture_output=True, text=True, check=False).stdout.splitlines()
    queued = charged = 0
    i = 0
    while i < len(out):
        fields = out[i].split()
        mem = out[i + 1] if i + 1 < len(out) and out[i + 1].startswith((" ", "\t")) else out[i]
        step = 2 if mem is not out[i] else 1
        i += step
        if len(fields) < 5:
            continue
        recv_q, send_q, local, peer = int(fields[1]), int(fields[2]), fields[3], fields[4]
        local_port, peer_port = int(local.rsplit(":", 1)[1]), int(peer.rsplit(":", 1)[1])
        mine = (local_port in ports and peer_port == target_port) or (local_port == target_port and peer_port in ports)
        if not mine:
            continue
        queued += recv_q + send_q
        m = SKMEM.search(mem)
        if m:
            charged += int(m.group(1)) + int(m.group(3))
    return queued, charged


def main():
    url, count = sys.argv[1], int(sys.argv[2])
    m = re.match(r"http://([^:/]+):(\d+)", url)
    host, port = m.group(1), int(m.group(2))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    sockets = []
    for i in range(count):
        websocket = i % 2 == 1
        sockets.append(open_stalled(host, port, "/feed/ws" if websocket else "/feed/sse", websocket))
    ports = {s.getsockname()[1] for s in sockets}
    start = time.monotonic()
    print(f"stalled: {count} subscriptions open ({(count + 1) // 2} SSE, {count // 2} WebSocket), never read", flush=True)
    print("t_s established closed kernel_queued_bytes kernel_skmem_bytes", flush=True)
    while not stop:
        established = sum(1 for s in sockets if tcp_state(s) == TCP_ESTABLISHED)
        queued, charged = kernel_held(ports, port)
        print(f"{time.monotonic() - start:.0f} {established} {count - established} {queued} {charged}", flush=True)
        time.sleep(1)
    for s in sockets:
        s.close()


if __name__ == "__main__":
    main()
