using System.Net;
using System.Net.Sockets;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Metrics;

/// <summary>
/// The byte split under HTTP/2, against hand counts: a raw stub speaks cleartext HTTP/2 with frames written by hand
/// (its HPACK block too), so every byte the client reads is known here; what the client writes is read and parsed by
/// the stub itself. Headers are exactly the HPACK blocks, payload exactly the events, and everything else —
/// the preface, frame headers, SETTINGS, WINDOW_UPDATE, RST_STREAM, GOAWAY, SSE field names — is framing.
/// </summary>
public sealed class Http2ByteSplitTests
{
    private static readonly string E1 = StubFeed.Event(1, StubFeed.NowMicros - 1500, "hello");
    private static readonly string E2 = StubFeed.Event(2, StubFeed.NowMicros - 1000, "world");
    private const int EventBytes = 46;

    // ":status: 200" is HPACK static index 8 (0x88, one byte); content-type is static name 31, sent as a literal
    // without indexing: 0x0f 0x10 (31 = 15 + 16), length 0x11, then "text/event-stream" (17): 21 bytes.
    private static readonly byte[] ResponseBlock = [0x88, 0x0f, 0x10, 0x11, .. "text/event-stream"u8.ToArray()];

    private static byte[] Frame(byte type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        frame[5] = (byte)(stream >> 24 & 0x7f);
        frame[6] = (byte)(stream >> 16);
        frame[7] = (byte)(stream >> 8);
        frame[8] = (byte)stream;
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }

    private static byte[] SseData(long seq, string json) => Encoding.ASCII.GetBytes($"id: {seq}\ndata: {json}\n\n");

    [Fact]
    public async Task Sse_OverH2c_SplitsExactlyAsCountedByHand()
    {
        Assert.Equal(21, ResponseBlock.Length);
        Assert.Equal(6 + 6 + EventBytes + 2, SseData(1, E1).Length);

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var stub = new H2Stub();
        var serving = stub.ServeAsync(listener, ResponseBlock, SseData(1, E1), Task.CompletedTask, SseData(2, E2));

        var options = new FeedClientOptions(new Uri($"http://127.0.0.1:{port}/"), TransportIds.Sse, new LatencyRecorders())
        {
            TimeProvider = new FakeTimeProvider(StubFeed.Now),
            Setup = new ConnectionSetup { Http = HttpVersions.Http2 },
        };
        var client = FeedClientFactory.Create(options);
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(() => client.Cursor == 2, "both events");
        await stop.CancelAsync();
        await run;
        await client.DisposeAsync(); // closes the connection: the stub then has every byte the client wrote
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
        var counters = client.Counters.Snapshot();

        // Server → client, all written here: SETTINGS (9, empty), a SETTINGS ACK (9) per client SETTINGS, HEADERS
        // (9 + 21), two DATA frames (9 + 60 each).
        var read = 9 + (9 * stub.SettingsAcked) + 9 + ResponseBlock.Length + (2 * (9 + 60));
        Assert.Equal(read, counters.SocketBytesRead);
        Assert.Equal(stub.BytesReceived, counters.SocketBytesWritten);
        Assert.Equal(ResponseBlock.Length + stub.ClientHeaderBlockBytes, counters.HeaderBytes);
        Assert.Equal(2 * EventBytes, counters.PayloadBytes);
        // Framing is everything else: the server's frame headers, SETTINGS and SSE field names and newlines (14 per
        // event), and all the client wrote but its header block (preface, SETTINGS, WINDOW_UPDATE, RST_STREAM, …).
        var serverFraming = 9 + (9 * stub.SettingsAcked) + 9 + (2 * (9 + 14));
        Assert.Equal(serverFraming + stub.BytesReceived - stub.ClientHeaderBlockBytes, counters.FramingBytes);
        Assert.Equal(0, counters.TlsBytes);
        Assert.True(stub.SettingsAcked >= 1 && stub.ClientHeaderBlockBytes > 0, $"acks {stub.SettingsAcked}, client block {stub.ClientHeaderBlockBytes}");
    }

    [Theory]
    [InlineData(CompressionKinds.Gzip, "gzip")]
    [InlineData(CompressionKinds.Brotli, "br")]
    public async Task Sse_CompressedOverH2c_DataPayloadsArePayloadAsCountedByHand(string compression, string coding)
    {
        // content-encoding is static name 26, sent as a literal without indexing: 0x0f 0x0b (26 = 15 + 11), the
        // length, the coding.
        byte[] block = [.. ResponseBlock, 0x0f, 0x0b, (byte)coding.Length, .. Encoding.ASCII.GetBytes(coding)];
        Assert.Equal(21 + 3 + coding.Length, block.Length);
        // The target's way: one compressor for the stream, flushed after every event.
        var compressed = new MemoryStream();
        Stream compressor = coding == "br"
            ? new System.IO.Compression.BrotliStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)
            : new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true);
        var chunks = new[] { SseData(1, E1), SseData(2, E2) }.Select(data =>
        {
            var start = (int)compressed.Length;
            compressor.Write(data);
            compressor.Flush();
            return compressed.ToArray()[start..];
        }).ToArray();

        var (stub, counters) = await TwoCompressedEventsAsync(TransportIds.Sse, compression, block, chunks[0], chunks[1]);

        var read = 9 + (9 * stub.SettingsAcked) + 9 + block.Length + chunks.Sum(c => 9 + c.Length);
        Assert.Equal(read, counters.SocketBytesRead);
        Assert.Equal(stub.BytesReceived, counters.SocketBytesWritten);
        Assert.Equal(block.Length + stub.ClientHeaderBlockBytes, counters.HeaderBytes);
        // The wire's payload is the compressed body, exactly the two DATA payloads; their frame headers are framing.
        Assert.Equal(chunks.Sum(c => c.Length), counters.PayloadBytes);
        var serverFraming = 9 + (9 * stub.SettingsAcked) + 9 + (2 * 9);
        Assert.Equal(serverFraming + stub.BytesReceived - stub.ClientHeaderBlockBytes, counters.FramingBytes);
        Assert.Equal(2 * EventBytes, counters.UncompressedPayloadBytes);
        Assert.Equal(2 * (6 + 6 + EventBytes + 2), counters.DecodedBodyBytes);
        Assert.Equal(0, counters.TlsBytes);
        Assert.True(stub.ClientHeaderBlockBytes > 0);
    }

    [Theory]
    [InlineData(CompressionKinds.PerMessageDeflate)]
    [InlineData(CompressionKinds.PerMessageDeflateNoContextTakeover)]
    public async Task WebSocket_PerMessageDeflateOverH2c_MessagePayloadsArePayloadAsCountedByHand(string compression)
    {
        var takeover = compression == CompressionKinds.PerMessageDeflate;
        var deflater = new CompressedByteSplitTests.MessageDeflater(takeover);
        var (c1, c2) = (deflater.Compress(E1), deflater.Compress(E2));
        var extensions = takeover ? "permessage-deflate" : "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
        // ":status: 200" (0x88), then sec-websocket-extensions as a literal without indexing with a new name: 0x00,
        // the name's length and name, the value's length and value.
        byte[] block = [0x88, 0x00, 24, .. "sec-websocket-extensions"u8.ToArray(), (byte)extensions.Length, .. Encoding.ASCII.GetBytes(extensions)];
        // SETTINGS_ENABLE_CONNECT_PROTOCOL (8) = 1: the client may open a WebSocket with an extended CONNECT (RFC 8441).
        byte[] settings = [0, 8, 0, 0, 0, 1];

        // Compressed text frames (FIN, RSV1, opcode 1) with a 2-byte header, one per DATA frame.
        var (stub, counters) = await TwoCompressedEventsAsync(
            TransportIds.WebSocket, compression, block, [0xC1, (byte)c1.Length, .. c1], [0xC1, (byte)c2.Length, .. c2], settings);

        var read = (9 + settings.Length) + (9 * stub.SettingsAcked) + (9 + block.Length) + (9 + 2 + c1.Length) + (9 + 2 + c2.Length);
        Assert.Equal(read, counters.SocketBytesRead);
        Assert.Equal(stub.BytesReceived, counters.SocketBytesWritten);
        Assert.Equal(block.Length + stub.ClientHeaderBlockBytes, counters.HeaderBytes);
        Assert.Equal(c1.Length + c2.Length, counters.PayloadBytes);
        // The server's frame headers, its SETTINGS, the two WebSocket frame headers, and all the client wrote but its block.
        var serverFraming = (9 + settings.Length) + (9 * stub.SettingsAcked) + 9 + (2 * (9 + 2));
        Assert.Equal(serverFraming + stub.BytesReceived - stub.ClientHeaderBlockBytes, counters.FramingBytes);
        Assert.Equal(2 * EventBytes, counters.UncompressedPayloadBytes);
        Assert.Equal(2 * EventBytes, counters.DecodedBodyBytes);
        Assert.Equal(0, counters.ErrorCount);
    }

    /// <summary>Just enough HTTP/2 to answer one GET with an SSE stream of two events, counting what it receives.</summary>
    /// <summary>A compressing client over h2c against the stub, which sends <paramref name="data2"/> only once the
    /// client has decoded event 1 from <paramref name="data1"/>: nothing may wait for more input (latency stays
    /// honest). Returns the stub and the client's counters once both sides closed.</summary>
    private static async Task<(H2Stub Stub, ClientCountersSnapshot Counters)> TwoCompressedEventsAsync(
        string transport, string compression, byte[] block, byte[] data1, byte[] data2, byte[]? settings = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var stub = new H2Stub();
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var serving = stub.ServeAsync(listener, block, data1, first.Task, data2, settings);

        var client = FeedClientFactory.Create(new FeedClientOptions(new Uri($"http://127.0.0.1:{port}/"), transport, new LatencyRecorders())
        {
            TimeProvider = new FakeTimeProvider(StubFeed.Now),
            Setup = new ConnectionSetup { Http = HttpVersions.Http2, Compression = compression },
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(() => client.Cursor == 1, "event 1 decoded before event 2 was sent");
        first.SetResult();
        await Wait.UntilAsync(() => client.Cursor == 2, "both events");
        await stop.CancelAsync();
        await run;
        await client.DisposeAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(30));
        return (stub, client.Counters.Snapshot());
    }

    private sealed class H2Stub
    {
        private readonly SemaphoreSlim _writing = new(1, 1);

        public long BytesReceived { get; private set; }
        public int ClientHeaderBlockBytes { get; private set; }
        public int SettingsAcked { get; private set; }

        /// <summary>Answers the client's one GET with <paramref name="block"/> and two DATA frames, the second once
        /// <paramref name="beforeSecond"/> is done.</summary>
        public async Task ServeAsync(TcpListener listener, byte[] block, byte[] data1, Task beforeSecond, byte[] data2, byte[]? settings = null)
        {
            using var socket = await listener.AcceptSocketAsync();
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await WriteAsync(stream, Frame(0x4, 0, 0, settings ?? []));
            var request = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var reading = ReadAsync(stream, request);
            await request.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await WriteAsync(stream, Frame(0x1, 0x4, 1, block)); // END_HEADERS
            await WriteAsync(stream, Frame(0x0, 0, 1, data1));
            await beforeSecond.WaitAsync(TimeSpan.FromSeconds(30));
            await WriteAsync(stream, Frame(0x0, 0, 1, data2));
            await reading.WaitAsync(TimeSpan.FromSeconds(30)); // until the client closes
        }

        private async Task WriteAsync(Stream stream, byte[] bytes)
        {
            await _writing.WaitAsync();
            try
            {
                await stream.WriteAsync(bytes);
            }
            finally
            {
                _writing.Release();
            }
        }

        /// <summary>Reads the client's preface and frames until it closes; answers each SETTINGS with an ACK.</summary>
        private async Task ReadAsync(Stream stream, TaskCompletionSource request)
        {
            var preface = new byte[24];
            await stream.ReadExactlyAsync(preface);
            BytesReceived += preface.Length;
            Assert.Equal("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Encoding.ASCII.GetString(preface));
            var header = new byte[9];
            while (true)
            {
                try
                {
                    await stream.ReadExactlyAsync(header);
                }
                catch (EndOfStreamException)
                {
                    return;
                }
                catch (IOException)
                {
                    return;
                }

                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var (type, flags) = (header[3], header[4]);
                var payload = new byte[length];
                await stream.ReadExactlyAsync(payload);
                BytesReceived += 9 + length;
                if (type is 0x1 or 0x9)
                {
                    // The .NET client sends neither padding nor priority: the whole payload is the block.
                    Assert.Equal(0, flags & (0x8 | 0x20));
                    ClientHeaderBlockBytes += length;
                    if ((flags & 0x4) != 0)
                    {
                        request.TrySetResult();
                    }
                }
                else if (type == 0x4 && (flags & 0x1) == 0)
                {
                    SettingsAcked++;
                    await WriteAsync(stream, Frame(0x4, 0x1, 0, []));
                }
            }
        }
    }
}
