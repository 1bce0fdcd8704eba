using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Target.Stats;
using Microsoft.AspNetCore.Http.Features;

namespace LoadBench.Target.WebSockets;

/// <summary>
/// Counts what a permessage-deflate WebSocket really writes: the compressed message bytes (data-frame payloads),
/// which the runtime's WebSocket makes inside itself, so the target's payload count for a compressed connection is
/// what crossed the socket, as the engine counts it on its side. Runs before the WebSockets middleware (which takes
/// the upgrade features when a request comes in) and, for <see cref="FeedRoutes.WebSocket"/> on a target started
/// with compression, wraps the HTTP/1.1 upgrade and the HTTP/2 extended CONNECT so the accepted stream passes
/// through a frame scanner. A socket that did not negotiate compression is left unwrapped: its payload is the
/// event JSON, counted by the endpoint as always.
/// </summary>
internal sealed class CompressedFrameCountingMiddleware(RequestDelegate next, TargetOptions options, FeedStats stats)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (options.Compression && context.Request.Path == FeedRoutes.WebSocket)
        {
            var wire = new CompressedWebSocketWire(context, stats.WebSocket);
            AcceptedStreamFeatures.Wrap(context.Features, wire);
            context.Features.Set(wire);
        }

        return next(context);
    }
}

/// <summary>One WebSocket request's compressed-wire count, found in its features by the endpoint.</summary>
internal sealed class CompressedWebSocketWire(HttpContext context, TransportCounters counters) : IAcceptedStreamWrapper
{
    /// <summary>Whether the accepted socket negotiated permessage-deflate (known once accepted).</summary>
    public bool Compressed { get; private set; }

    /// <summary>The accepted stream, through a frame scanner when the handshake agreed on permessage-deflate (the
    /// middleware has written its response headers by the time it asks for the stream).</summary>
    public Stream Wrap(Stream accepted)
    {
        Compressed = context.Response.Headers.SecWebSocketExtensions.ToString()
            .Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase);
        return Compressed ? new FrameCountingStream(accepted, counters) : accepted;
    }

    /// <summary>Counts the data-frame payload bytes written (the compressed messages); reads pass through.</summary>
    private sealed class FrameCountingStream(Stream inner, TransportCounters counters) : Stream
    {
        private readonly WebSocketFrameScanner _frames = new();
        private readonly Lock _lock = new();

        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // Counted before the write: the frame is the connection's once handed over (a pong and a data frame are
            // never written at once by the runtime, but the lock keeps the scanner whole if they were).
            Count(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Count(buffer.AsSpan(offset, count));
            inner.Write(buffer, offset, count);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        private void Count(ReadOnlySpan<byte> bytes)
        {
            lock (_lock)
            {
                var before = _frames.DataPayloadBytes;
                _frames.Scan(bytes);
                counters.CompressedBody(_frames.DataPayloadBytes - before, 0);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
