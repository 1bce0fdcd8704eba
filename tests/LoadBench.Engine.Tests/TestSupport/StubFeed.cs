using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LoadBench.Contracts;

namespace LoadBench.Engine.Tests.TestSupport;

/// <summary>
/// Hand-made wire pieces of the target's four transports, for stub servers whose every byte a test can count,
/// and a ready stub that serves a fixed list of events over any transport once.
/// </summary>
public static class StubFeed
{
    /// <summary>The fake clock's "now" in stub tests: 2026-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary><see cref="Now"/> in Unix microseconds: 1,767,225,600 s × 1,000,000.</summary>
    public const long NowMicros = 1_767_225_600_000_000;

    /// <summary>Event JSON exactly as the target writes it: <c>{"seq":…,"ts":…,"data":"…"}</c>.</summary>
    public static string Event(long seq, long ts, string data) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"seq":{{seq}},"ts":{{ts}},"data":"{{data}}"}""");

    public static string PollResponse(IReadOnlyList<string> events)
    {
        var body = "[" + string.Join(",", events) + "]";
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture) + "\r\n\r\n" + body;
    }

    public const string SseResponseHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

    /// <summary>One SSE event in one chunk: size line, <c>id: N\ndata: JSON\n\n</c>, CRLF.</summary>
    public static string SseChunk(long seq, string json) => Chunk($"id: {seq}\ndata: {json}\n\n");

    public static string Chunk(string data) =>
        Encoding.UTF8.GetByteCount(data).ToString("x", CultureInfo.InvariantCulture) + "\r\n" + data + "\r\n";

    /// <summary>The 101 answer to a WebSocket upgrade request head.</summary>
    public static string WebSocketResponseHead(string requestHead)
    {
        var keyLine = requestHead.Split("\r\n").Single(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase));
        var key = keyLine["Sec-WebSocket-Key:".Length..].Trim();
#pragma warning disable CA5350 // RFC 6455 defines the accept value with SHA-1; nothing secret is protected here
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: " + accept + "\r\n\r\n";
    }

    /// <summary>An unmasked server text frame (FIN + opcode 1); payloads under 126 bytes have a 2-byte header.</summary>
    public static byte[] TextFrame(string text) => Frame(0x81, Encoding.UTF8.GetBytes(text));

    /// <summary>An unmasked server close frame: 2-byte status, then the UTF-8 description.</summary>
    public static byte[] CloseFrame(int status, string description)
    {
        var reason = Encoding.UTF8.GetBytes(description);
        var payload = new byte[2 + reason.Length];
        payload[0] = (byte)(status >> 8);
        payload[1] = (byte)status;
        reason.CopyTo(payload, 2);
        return Frame(0x88, payload);
    }

    private static byte[] Frame(byte first, byte[] payload)
    {
        if (payload.Length >= 126)
        {
            throw new ArgumentException("Stub frames are kept under 126 bytes so their header is 2 bytes.");
        }

        return [first, (byte)payload.Length, .. payload];
    }

    /// <summary>Reads one masked client frame (header, 4-byte mask, payload); returns its total length.</summary>
    public static async Task<int> ReadClientFrameAsync(StubConnection connection, CancellationToken cancellationToken)
    {
        var header = await connection.ReadExactlyAsync(2, cancellationToken);
        var length = header[1] & 0x7F;
        await connection.ReadExactlyAsync(4 + length, cancellationToken);
        return 2 + 4 + length;
    }

    /// <summary>
    /// Serves <paramref name="events"/> once over <paramref name="transport"/> on the first connection, then holds
    /// every further request unanswered (the client waits; the test cancels it). Trickle sends one byte per write.
    /// </summary>
    public static StubServer Serve(string transport, IReadOnlyList<(long Seq, string Json)> events, bool trickle = false) =>
        new(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            if (connection.Index == 0)
            {
                switch (transport)
                {
                    case TransportIds.Polling or TransportIds.LongPolling:
                        await connection.SendAsync(PollResponse([.. events.Select(e => e.Json)]), trickle, cancellationToken);
                        // The next poll comes on the same keep-alive connection: read it and leave it hanging.
                        await connection.ReadHeadAsync(cancellationToken);
                        break;
                    case TransportIds.Sse:
                        await connection.SendAsync(SseResponseHead, trickle, cancellationToken);
                        foreach (var (seq, json) in events)
                        {
                            await connection.SendAsync(SseChunk(seq, json), trickle, cancellationToken);
                        }

                        break;
                    case TransportIds.WebSocket:
                        await connection.SendAsync(WebSocketResponseHead(head), trickle, cancellationToken);
                        foreach (var (_, json) in events)
                        {
                            await connection.SendAsync(TextFrame(json), trickle, cancellationToken);
                        }

                        break;
                }
            }

            await connection.DrainAsync(cancellationToken);
        });
}
