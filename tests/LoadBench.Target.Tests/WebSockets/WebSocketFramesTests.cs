using System.Net.WebSockets;
using System.Text;
using LoadBench.Target.Stats;
using LoadBench.Target.Tests.Feed;
using LoadBench.Target.WebSockets;

namespace LoadBench.Target.Tests.WebSockets;

/// <summary>The feed's own text frames and batches against what the runtime's server WebSocket writes for the same messages.</summary>
public sealed class WebSocketFramesTests
{
    private static async Task<byte[]> RuntimeFramesAsync(params byte[][] payloads)
    {
        using var stream = new MemoryStream();
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        foreach (var payload in payloads)
        {
            await socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }

        return stream.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    public async Task WriteText_IsWhatTheRuntimeWrites_AtEveryLengthEncoding(int length)
    {
        var payload = Encoding.ASCII.GetBytes(new string('x', length));
        var frame = new byte[WebSocketFrames.HeaderLength(length) + length];

        Assert.Equal(frame.Length, WebSocketFrames.WriteText(payload, frame));
        Assert.Equal(await RuntimeFramesAsync(payload), frame);
    }

    [Fact]
    public async Task Sender_WritesEventsReadyTogether_InOneWrite_ByteForByteTheRuntimesMessages_AndCountsThem()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        var events = Enumerable.Range(0, 3).Select(_ => log.Publish()).ToList();
        var wire = new RecordingStream();
        var frames = new FeedSocketStream(wire);
        using var socket = WebSocket.CreateFromStream(frames, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        var counters = new TransportCounters("ws");
        using var sender = new WebSocketEventSender(socket, frames, counters, compressed: false);

        foreach (var feedEvent in events)
        {
            Assert.True(await sender.AddAsync(feedEvent, CancellationToken.None));
        }

        Assert.Empty(wire.Writes);
        Assert.True(await sender.FlushAsync(CancellationToken.None));

        var write = Assert.Single(wire.Writes);
        Assert.Equal(await RuntimeFramesAsync([.. events.Select(e => e.Json.ToArray())]), write);
        var counted = counters.Snapshot();
        Assert.Equal(3, counted.EventsSent);
        Assert.Equal(events.Sum(e => (long)e.Json.Length), counted.PayloadBytes);
    }

    [Fact]
    public async Task Sender_AfterTheSocketWroteItsCloseFrame_SendsNothingMore()
    {
        var (log, _) = FeedLogFollowTests.NewLog();
        var wire = new RecordingStream();
        var frames = new FeedSocketStream(wire);
        using var socket = WebSocket.CreateFromStream(frames, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        using var sender = new WebSocketEventSender(socket, frames, new TransportCounters("ws"), compressed: false);

        await socket.CloseOutputAsync(WebSocketCloseStatus.ProtocolError, null, CancellationToken.None);
        var closeFrame = Assert.Single(wire.Writes);
        Assert.True(await sender.AddAsync(log.Publish(), CancellationToken.None));

        Assert.False(await sender.FlushAsync(CancellationToken.None));
        Assert.Same(closeFrame, Assert.Single(wire.Writes));
    }

    /// <summary>A connection that keeps every write apart.</summary>
    private sealed class RecordingStream : Stream
    {
        private readonly List<byte[]> _writes = [];

        public IReadOnlyList<byte[]> Writes => _writes;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _writes.Add(buffer.ToArray());
            return ValueTask.CompletedTask;
        }

        public override void Write(byte[] buffer, int offset, int count) => _writes.Add(buffer.AsSpan(offset, count).ToArray());

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => 0;
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
