# Misbehaving WebSocket clients against a running target (issue 12, "Hostile input"): half send one frame
# declaring 1 TiB and then MIB MiB of it, half flood MIB MiB of small binary frames. Beside them one normal
# subscriber must get every event, in order. Prints the target's RSS before, at peak and after, and the close
# codes the misbehaving clients got. Usage: hostile-ws.py PORT TARGET_PID CLIENTS MIB
import base64, collections, os, socket, struct, sys, threading, time

port, pid, clients, mib = (int(a) for a in sys.argv[1:5])

def rss_mib():
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))

def frame(opcode, payload, declared=None):
    n = len(payload) if declared is None else declared
    if n > 65535:
        head = bytes([0x80 | opcode, 0x80 | 127]) + struct.pack(">Q", n)
    elif n > 125:
        head = bytes([0x80 | opcode, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([0x80 | opcode, 0x80 | n])
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

def upgrade(query):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(10)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(f"GET /feed/ws{query} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
              f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return s

closes = collections.Counter()
def misbehave(i):
    s = upgrade("?after=0")
    chunk = os.urandom(64 * 1024)
    flood = frame(2, b"x" * 100) * 600
    try:
        if i % 2 == 0:
            s.sendall(frame(2, b"", declared=1 << 40))
        for _ in range(mib * 16):
            s.sendall(chunk if i % 2 == 0 else flood)
    except OSError:
        pass  # closed under it: expected
    closes[read_close(s)] += 1
    s.close()

def read_close(s):
    """Skips the feed's events (server frames: unmasked, payload < 64 KiB) until the close frame; its status."""
    buffer = b""
    try:
        while True:
            while len(buffer) >= 2:
                n, at = buffer[1] & 0x7F, 2
                if n == 126:
                    if len(buffer) < 4:
                        break
                    n, at = struct.unpack(">H", buffer[2:4])[0], 4
                if len(buffer) < at + n:
                    break
                if buffer[0] & 0x0F == 8:
                    return struct.unpack(">H", buffer[at:at + 2])[0] if n >= 2 else "close without status"
                buffer = buffer[at + n:]
            data = s.recv(65536)
            if not data:
                return "closed without a close frame"
            buffer += data
    except OSError as e:
        return type(e).__name__

normal = {"seqs": [], "stop": False}
def subscribe():
    s = upgrade("")
    buffer = b""
    while not normal["stop"]:
        try:
            buffer += s.recv(65536)
        except socket.timeout:
            continue
        while len(buffer) >= 2 and len(buffer) >= 2 + (buffer[1] & 0x7F):
            n = buffer[1] & 0x7F
            normal["seqs"].append(int(buffer[2:2 + n].split(b'"seq":')[1].split(b",")[0]))
            buffer = buffer[2 + n:]
    s.close()

peak, watching = [0], [True]
def watch():
    while watching[0]:
        peak[0] = max(peak[0], rss_mib())
        time.sleep(0.05)

before = rss_mib()
threads = [threading.Thread(target=watch), threading.Thread(target=subscribe)]
threads += [threading.Thread(target=misbehave, args=(i,)) for i in range(clients)]
start = time.time()
for t in threads:
    t.start()
for t in threads[2:]:
    t.join()
elapsed = time.time() - start
time.sleep(3)
normal["stop"], watching[0] = True, False
threads[0].join(); threads[1].join()
seqs = normal["seqs"]
in_order = seqs == list(range(seqs[0], seqs[0] + len(seqs))) if seqs else False
print(f"{clients} misbehaving clients, {mib} MiB each ({clients * mib} MiB sent at most) in {elapsed:.1f} s")
print(f"target RSS: before {before} MiB, peak {peak[0]} MiB, after {rss_mib()} MiB")
print(f"close codes: {dict(closes)}")
print(f"normal subscriber: {len(seqs)} events, every one in order: {in_order}")
