using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;
using LoadBench.Engine.Transports.Connections.EventLoop;

namespace LoadBench.Engine.Transports.WebSockets;

/// <summary>
/// The raw path (<c>WebSocketClient.Raw.cs</c>, <c>WebSocketClient.RawFrames.cs</c>) on the engine's event loop
/// (<see cref="LoopStream"/>): the same upgrade, head bytes, frames, counts and close handling; only the reads differ,
/// made on the loop's thread when epoll says bytes came. A pong is sent from there too, without blocking (what the
/// socket has no room for goes when epoll reports room, in order), and so is the close reply — a few bytes on a socket
/// that sends nothing else, best effort as before (a target that already dropped the connection loses nothing).
/// Linux x86-64 with an address that needs no DNS; <c>LOADBENCH_STREAM_LOOP=0</c> keeps the awaited reads.
/// </summary>
internal sealed partial class WebSocketClient : LoopStreamReader
{
    // The session's stream and reader while the loop reads its frames.
    private LoopStream? _loopStream;
    private WebSocketMessageReader? _loopFrames;

    private async Task<bool> ReceiveLoopSessionAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        using var stream = await LoopStream.ConnectAsync(endPoint, _core.Options.Connections, _core.Meter, cancellationToken);
        // One registration takes the socket out of the loop and closes it when the phase ends, upgrade and session alike.
        using var closeOnCancel = cancellationToken.UnsafeRegister(static s => ((LoopStream)s!).Dispose(), stream);
        using var reader = new WebSocketMessageReader();
        _closeStatus = null;
        _closeDescription = null;
        try
        {
            if (!await UpgradeOnLoopAsync(stream, reader))
            {
                return false; // refused, counted
            }

            _loopStream = stream;
            _loopFrames = reader;
            SendLoopPongs(); // pings that came with the 101
            while (_closeStatus is null)
            {
                var end = await stream.ReadAsync(this);
                ObjectDisposedException.ThrowIf(end == LoopStreamEnd.Stopped, stream); // the phase's end (made a cancellation below)
                if (end == LoopStreamEnd.EndOfStream)
                {
                    throw ClosedWithoutHandshake();
                }
            }

            OnCloseStatus(_closeStatus.Value, _closeDescription);
            SendCloseOnLoop(stream);
            return true;
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("The phase ended.", e, cancellationToken);
        }
        finally
        {
            _loopStream = null;
            _loopFrames = null;
            ReturnPongs();
        }
    }

    /// <summary>On the loop's thread: one read's frames, as the awaited session takes them; pongs go out at once; a
    /// close frame pauses the read (the async method counts it and answers).</summary>
    public override bool TakeRead(ReadOnlySpan<byte> bytes)
    {
        _core.Meter.OnRead(bytes.Length, 0);
        Take(_loopFrames!, bytes);
        SendLoopPongs();
        return _closeStatus is null;
    }

    private void SendLoopPongs()
    {
        if (_pongs is null)
        {
            return;
        }

        try
        {
            _loopStream!.SendFraming(_pongs.AsSpan(0, _pongsLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_pongs);
            _pongs = null;
            _pongsLength = 0;
        }
    }

    /// <summary>Answers the target's close with ours (1000, no reason) as <see cref="SendCloseAsync"/> does, without
    /// waiting: after pongs the socket could not take yet it would not go either, and is left out.</summary>
    private void SendCloseOnLoop(LoopStream stream)
    {
        if (!stream.AllSent)
        {
            return;
        }

        Span<byte> frame = stackalloc byte[MaskedFrameLength(2)];
        Span<byte> status = stackalloc byte[2];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(status, (ushort)WebSocketCloseStatus.NormalClosure);
        WriteMaskedFrame(frame, 0x8, status);
        try
        {
            stream.SendFraming(frame);
        }
        catch (SocketException)
        {
            // The target may drop the connection right after its close frame; nothing is lost by that.
        }
    }

    /// <summary><see cref="UpgradeAsync"/> on the loop: the same request, the same answer's checks and counts.</summary>
    private async Task<bool> UpgradeOnLoopAsync(LoopStream stream, WebSocketMessageReader reader)
    {
        var wsUri = new Uri(_core.Options.BaseUri, FeedRoutes.WebSocket);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var head = Encoding.ASCII.GetBytes(string.Concat(
            "GET ", wsUri.AbsolutePath, "?after=", _core.After.ToString(CultureInfo.InvariantCulture), _core.EpochQuery, _heartbeatQuery,
            " HTTP/1.1\r\nHost: ", wsUri.Authority,
            "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ", key, "\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        LoopbackConnector.SendHead(stream.Socket, head, _core.Meter);

        using var answer = new UpgradeAnswer(_core.Meter);
        while (!answer.Complete)
        {
            var end = await stream.ReadAsync(answer);
            answer.ThrowIfTooLong();
            ObjectDisposedException.ThrowIf(end == LoopStreamEnd.Stopped, stream); // the phase's end (made a cancellation by the caller)

            if (end == LoopStreamEnd.EndOfStream && !answer.Complete)
            {
                throw new HttpIOException(HttpRequestError.ResponseEnded, "The target closed the connection before the upgrade was answered.");
            }
        }

        var scanner = answer.Scanner;
        if (!scanner.Upgraded)
        {
            var status = scanner.Status;
            await answer.ReadBodyAsync(stream);
            if (status is 200)
            {
                throw new WebSocketException(WebSocketError.NotAWebSocket, "The target answered the upgrade with 200, not 101.");
            }

            _core.Fail(ErrorKinds.Http((HttpStatusCode)status));
            return false;
        }

        if (!AcceptMatches(answer.Head, key))
        {
            throw new WebSocketException(WebSocketError.HeaderError, "The 101's Sec-WebSocket-Accept does not match the key sent.");
        }

        _core.Counters.Request();
        _core.Backoff.Reset();
        // The bytes that came with the 101 (already counted) are the first frames.
        Take(reader, answer.AfterHead);
        return true;
    }

    /// <summary>The answer to the upgrade as the loop reads it: its head kept (for the accept check) and counted by the
    /// scanner as <see cref="UpgradeAsync"/> counts it, the bytes after it kept for the frames; then, for a refusal, its
    /// body read to its end, counted.</summary>
    private sealed class UpgradeAnswer(WireMeter meter) : LoopStreamReader, IDisposable
    {
        private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes);
        private int _filled;
        private int _headLength;
        private bool _tooLong;
        private ResponseBodyReader? _body;

        public HttpMessageScanner Scanner { get; } = new(isResponse: true);

        public bool Complete { get; private set; }

        public ReadOnlySpan<byte> Head => _buffer.AsSpan(0, _headLength);

        public ReadOnlySpan<byte> AfterHead => _buffer.AsSpan(_headLength, _filled - _headLength);

        public void ThrowIfTooLong()
        {
            if (_tooLong)
            {
                throw new HttpIOException(HttpRequestError.InvalidResponse, "The answer to the upgrade has a head over 8 KiB.");
            }
        }

        public override bool TakeRead(ReadOnlySpan<byte> bytes)
        {
            if (_body is not null)
            {
                meter.OnRead(bytes.Length, Scanner.Scan(bytes));
                return !Consume(_body, bytes);
            }

            var headBytes = Scanner.Scan(bytes);
            meter.OnRead(bytes.Length, headBytes);
            if (_filled + bytes.Length > _buffer!.Length)
            {
                // Frames after the head, in the same read: kept for the frame reader (the head's own limit is below).
                var bigger = ArrayPool<byte>.Shared.Rent(_filled + bytes.Length);
                _buffer.AsSpan(0, _filled).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            bytes.CopyTo(_buffer.AsSpan(_filled));
            _filled += bytes.Length;
            if (Scanner.Upgraded || Scanner.Status >= 200)
            {
                // The final head ended in this read; its bytes come first in it.
                _headLength = _filled - bytes.Length + headBytes;
                Complete = true;
                _tooLong = _headLength > MaxHeadBytes; // a long head may come whole in one read, too
                return false;
            }

            // As the awaited upgrade, which reads the head into one 8 KiB buffer.
            _tooLong = _filled >= MaxHeadBytes;
            return !_tooLong;
        }

        /// <summary>Reads a refusal's body to its end (or the connection's), every byte of it on the meter.</summary>
        public async Task ReadBodyAsync(LoopStream stream)
        {
            _body = ResponseBodyReader.For(Scanner.Chunked, Scanner.ContentLength);
            if (Consume(_body, AfterHead))
            {
                return;
            }

            ObjectDisposedException.ThrowIf(await stream.ReadAsync(this) == LoopStreamEnd.Stopped, stream);

            // Paused (the body ended) or the connection's end (which ends the body, or cuts it: nothing more to count).
        }

        public void Dispose()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
    }
}
