using System.Globalization;
using System.IO.Compression;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Metrics;

/// <summary>
/// The byte split with compression is exact: a raw stub compresses a known event sequence itself (the test's own
/// deflate, gzip or brotli, with the settings the target uses) and sends it, so the compressed sizes on the wire
/// are known to the byte. The wire's payload is the compressed body, the framing what HTTP or WebSocket wraps it
/// in, and the uncompressed split beside it comes from the decoded bytes. Each stub holds the second event back
/// until the client has delivered the first: a client that waited for more input before decoding would never
/// get there (latency stays honest).
/// </summary>
public sealed class CompressedByteSplitTests
{
    private static readonly string E1 = StubFeed.Event(1, StubFeed.NowMicros - 1500, "hello");
    private static readonly string E2 = StubFeed.Event(2, StubFeed.NowMicros - 1000, "hello");
    private const int EventBytes = 46;

    [Theory]
    [InlineData(CompressionKinds.PerMessageDeflate)]
    [InlineData(CompressionKinds.PerMessageDeflateNoContextTakeover)]
    public async Task WebSocket_PerMessageDeflate_CompressedFramePayloadsArePayload(string compression)
    {
        var takeover = compression == CompressionKinds.PerMessageDeflate;
        var deflater = new MessageDeflater(takeover);
        var c1 = deflater.Compress(E1);
        var c2 = deflater.Compress(E2);
        if (takeover)
        {
            // The second event repeats most of the first: with the window kept it is mostly a back-reference.
            Assert.True(c2.Length < c1.Length, $"{c2.Length} < {c1.Length}");
        }

        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var extensions = takeover ? "permessage-deflate" : "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
        var clientCloseFrame = 0;
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            if (connection.Index == 0)
            {
                var upgrade = StubFeed.WebSocketResponseHead(head).Replace("\r\n\r\n", $"\r\nSec-WebSocket-Extensions: {extensions}\r\n\r\n", StringComparison.Ordinal);
                await connection.SendAsync(upgrade, false, cancellationToken);
                await connection.SendAsync(CompressedTextFrame(c1), false, cancellationToken);
                await first.Task.WaitAsync(cancellationToken);
                await connection.SendAsync(CompressedTextFrame(c2), false, cancellationToken);
                await connection.SendAsync(StubFeed.CloseFrame(FeedGone.WebSocketCloseStatus, "gone oldestSeq=1"), false, cancellationToken);
                clientCloseFrame = await StubFeed.ReadClientFrameAsync(connection, cancellationToken);
            }

            await connection.DrainAsync(cancellationToken);
        });
        await using var client = FeedClientFactory.Create(Options(stub, TransportIds.WebSocket, compression));

        var counters = await RunUntilAsync(client, stub, first, expectedHeads: 2);

        var offer = stub.Heads()[0];
        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate", offer, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(!takeover, offer.Contains("server_no_context_takeover", StringComparison.OrdinalIgnoreCase));
        var requestHeads = stub.Heads()[0].Length + stub.Heads()[1].Length;
        // The 101 head of ByteSplitTests (34 + 21 + 20 + 22 + 28 + 2 + 2) plus "Sec-WebSocket-Extensions: " 26 + value + "\r\n" 2.
        var responseHead = 34 + 21 + 20 + 22 + 28 + 2 + 2 + 26 + extensions.Length + 2;
        // Two data frames with a 2-byte header, the close frame (2 + status 2 + 16), the client's masked close (2 + 4 + 2).
        const int framing = 2 + 2 + (2 + 2 + 16) + (2 + 4 + 2);

        Assert.Equal(2 + 4 + 2, clientCloseFrame);
        Assert.Equal(requestHeads + responseHead, counters.HeaderBytes);
        Assert.Equal(c1.Length + c2.Length, counters.PayloadBytes);
        Assert.Equal(framing, counters.FramingBytes);
        Assert.Equal(stub.BytesReceived + stub.BytesSent, counters.PayloadBytes + counters.FramingBytes + counters.HeaderBytes);
        Assert.Equal(2 * EventBytes, counters.UncompressedPayloadBytes);
        Assert.Equal(2 * EventBytes, counters.DecodedBodyBytes); // a message is exactly the event
        Assert.Equal(2, counters.EventsDelivered);
    }

    [Theory]
    [InlineData(CompressionKinds.Gzip, "gzip")]
    [InlineData(CompressionKinds.Brotli, "br")]
    public async Task Sse_CompressedStreamFlushedPerEvent_ChunkDataIsPayload(string compression, string coding)
    {
        // The target's way: one compressor for the stream, flushed after every event.
        var compressed = new MemoryStream();
        var compressor = Compressor(coding, compressed);
        var chunks = new[] { (1, E1), (2, E2) }.Select(e =>
        {
            var start = (int)compressed.Length;
            compressor.Write(Encoding.ASCII.GetBytes($"id: {e.Item1}\ndata: {e.Item2}\n\n"));
            compressor.Flush();
            return compressed.ToArray()[start..];
        }).ToArray();

        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: {0}\r\nTransfer-Encoding: chunked\r\n\r\n";
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            if (await connection.ReadHeadAsync(cancellationToken) is null)
            {
                return;
            }

            await connection.SendAsync(string.Format(CultureInfo.InvariantCulture, head, coding), false, cancellationToken);
            await connection.SendAsync(Chunk(chunks[0]), false, cancellationToken);
            await first.Task.WaitAsync(cancellationToken);
            await connection.SendAsync(Chunk(chunks[1]), false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        await using var client = FeedClientFactory.Create(Options(stub, TransportIds.Sse, compression));

        var counters = await RunUntilAsync(client, stub, first);

        var requestHead = Assert.Single(stub.Heads());
        Assert.Contains($"\r\nAccept-Encoding: {coding}\r\n", requestHead, StringComparison.Ordinal);
        // Response head: 17 + "Content-Type: text/event-stream\r\n" 33 + "Content-Encoding: " 18 + coding + 2 + "Transfer-Encoding: chunked\r\n" 28 + 2.
        var responseHead = 17 + 33 + 18 + coding.Length + 2 + 28 + 2;
        // Framing per chunk: its size line (hex digits + CRLF) and the CRLF after the data.
        var framing = chunks.Sum(c => c.Length.ToString("x", CultureInfo.InvariantCulture).Length + 2 + 2);
        // Decoded, each event is "id: N\n" 6 + "data: " 6 + 46 + "\n\n" 2 = 60 bytes.
        const int decoded = 2 * 60;

        Assert.Equal(requestHead.Length + responseHead, counters.HeaderBytes);
        Assert.Equal(chunks.Sum(c => c.Length), counters.PayloadBytes);
        Assert.Equal(framing, counters.FramingBytes);
        Assert.Equal(stub.BytesReceived + stub.BytesSent, counters.PayloadBytes + counters.FramingBytes + counters.HeaderBytes);
        Assert.Equal(2 * EventBytes, counters.UncompressedPayloadBytes);
        Assert.Equal(decoded, counters.DecodedBodyBytes);
        Assert.Equal(2, counters.EventsDelivered);
    }

    [Theory]
    [InlineData(CompressionKinds.Gzip, "gzip")]
    [InlineData(CompressionKinds.Brotli, "br")]
    public async Task Poll_CompressedArray_BodyIsPayloadAndDecodedArrayIsDelivered(string compression, string coding)
    {
        var array = "[" + E1 + "," + E2 + "]";
        var body = Compress(coding, Encoding.ASCII.GetBytes(array));
        var responseHead = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: {coding}\r\nContent-Length: {body.Length}\r\n\r\n";
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            if (await connection.ReadHeadAsync(cancellationToken) is null)
            {
                return;
            }

            await connection.SendAsync([.. Encoding.ASCII.GetBytes(responseHead), .. body], false, cancellationToken);
            await connection.ReadHeadAsync(cancellationToken); // the next poll is left hanging
            await connection.DrainAsync(cancellationToken);
        });
        var options = Options(stub, TransportIds.Polling, compression);
        await using var client = (IRequestDrivenClient)FeedClientFactory.Create(options);

        await client.SendOneAsync(options.TimeProvider.GetTimestamp(), CancellationToken.None);
        await Wait.UntilAsync(() => stub.Quiet, "the stub to wait for the next request");
        var counters = client.Counters.Snapshot();

        Assert.Equal($"GET /feed/poll?after=0&max=1000 HTTP/1.1\r\nHost: 127.0.0.1:{stub.Port}\r\nAccept-Encoding: {coding}\r\n\r\n", Assert.Single(stub.Heads()));
        Assert.Equal(stub.Heads()[0].Length + responseHead.Length, counters.HeaderBytes);
        Assert.Equal(body.Length, counters.PayloadBytes);
        Assert.Equal(0, counters.FramingBytes); // Content-Length: nothing wraps the body
        Assert.Equal(stub.BytesReceived + stub.BytesSent, counters.SocketBytesRead + counters.SocketBytesWritten);
        Assert.Equal(2 * EventBytes, counters.UncompressedPayloadBytes);
        Assert.Equal(array.Length, counters.DecodedBodyBytes); // brackets and the comma: the uncompressed framing
        Assert.Equal(2, counters.EventsDelivered);
    }

    private static FeedClientOptions Options(StubServer stub, string transport, string compression) =>
        ByteSplitTests.Options(stub, transport, new LatencyRecorders()) with { Setup = new ConnectionSetup { Compression = compression } };

    /// <summary>Runs the client until it delivered event 1, releases event 2, then waits as
    /// <see cref="ByteSplitTests.RunUntilAsync"/> does for both ends to agree on every byte.</summary>
    private static async Task<ClientCountersSnapshot> RunUntilAsync(IFeedClient client, StubServer stub, TaskCompletionSource first, int expectedHeads = 1)
    {
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(() => client.Cursor == 1, "event 1 decoded before event 2 was sent");
        first.SetResult();
        await Wait.UntilAsync(
            () =>
            {
                var c = client.Counters.Snapshot();
                var quiet = stub.Quiet;
                return quiet && client.Cursor == 2 && stub.Heads().Length >= expectedHeads
                    && c.SocketBytesRead == stub.BytesSent && c.SocketBytesWritten == stub.BytesReceived;
            },
            "cursor 2, a quiet stub and every byte on both ends");
        await stop.CancelAsync();
        await run;
        return client.Counters.Snapshot();
    }

    /// <summary>An unmasked server text frame of a compressed message: FIN, RSV1 (compressed) and opcode 1.</summary>
    private static byte[] CompressedTextFrame(byte[] payload) =>
        payload.Length < 126 ? [0xC1, (byte)payload.Length, .. payload] : throw new ArgumentException("kept under 126 bytes");

    private static byte[] Chunk(byte[] data) =>
        [.. Encoding.ASCII.GetBytes(data.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), .. data, .. "\r\n"u8];

    private static Stream Compressor(string coding, Stream output) => coding == "br"
        ? new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true)
        : new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true);

    private static byte[] Compress(string coding, byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var compressor = Compressor(coding, output))
        {
            compressor.Write(bytes);
        }

        return output.ToArray();
    }

    /// <summary>RFC 7692 §7.2.1: deflate the message, sync-flush, drop the flush's final 00 00 FF FF. With context
    /// takeover one deflate stream carries on across messages; without, each message starts a new one.</summary>
    internal sealed class MessageDeflater(bool takeover)
    {
        private MemoryStream _output = new();
        private DeflateStream? _deflate;

        public byte[] Compress(string message)
        {
            if (_deflate is null || !takeover)
            {
                _output = new MemoryStream();
                _deflate = new DeflateStream(_output, CompressionLevel.Optimal, leaveOpen: true);
            }

            var start = (int)_output.Length;
            _deflate.Write(Encoding.ASCII.GetBytes(message));
            _deflate.Flush();
            var flushed = _output.ToArray()[start..];
            Assert.Equal([0x00, 0x00, 0xFF, 0xFF], flushed[^4..]);
            return flushed[..^4];
        }
    }
}
