using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Transports.WebSockets;

/// <summary>
/// The session of the raw path (<c>WebSocketClient.Raw.cs</c>): after the 101 the client reads its socket itself,
/// the frames parsed by <see cref="WebSocketMessageReader"/>, the way <c>SseClient.Raw.cs</c> reads an event stream.
/// It does what the runtime's WebSocket did for this receive-only feed: a ping is answered with a pong carrying the
/// same payload, the target's close is counted by status and answered with a close frame (1000), a connection that
/// ends without a close is a failure (<see cref="WebSocketError.ConnectionClosedPrematurely"/>, as before). Every
/// byte read is on the meter as it arrives, every frame the client writes (masked, as a client must) as it is sent.
/// </summary>
/// <remarks>
/// Why (issue 14, engine CPU and memory per subscriber): per event the runtime's WebSocket took a zero-byte read, a
/// header read and a payload read through the counting stream and the pooled stream, two async calls into the
/// WebSocket and a copy of the message into a rented array. Here an event costs one zero-byte receive, one receive
/// into a pooled 4 KiB buffer (returned as soon as the bytes are parsed) and a parse of the slice; an idle session
/// keeps its socket, this method's state and an empty reader.
/// </remarks>
internal sealed partial class WebSocketClient
{
    // One read takes what is there up to this; the target's events are a few hundred bytes.
    private const int ReceiveBytes = 4096;

    // What a read's frames asked of the client, done after the read's buffer went back: answer pings, close.
    private byte[]? _pongs;
    private int _pongsLength;
    private int? _closeStatus;
    private string? _closeDescription;

    /// <summary>One session of the raw path: connect, upgrade (<c>WebSocketClient.Raw.cs</c>), then the frames
    /// until the target's close (true), or a refused upgrade (false, counted), or a failure (thrown).</summary>
    /// <remarks>One async method for the whole session, so an idle subscriber keeps one state machine for it
    /// (the upgrade's own is gone once it returned).</remarks>
    private async Task<bool> ReceiveRawSessionAsync(CancellationToken cancellationToken)
    {
        var target = _core.Options.BaseUri;
        using var socket = await LoopbackConnector.ConnectRawAsync(target.Host, target.Port, _core.Options.Connections, cancellationToken);
        // One registration closes the socket when the phase ends, for the upgrade and the session alike; the socket
        // calls take no token.
        using var closeOnCancel = cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
        using var reader = new WebSocketMessageReader();
        _closeStatus = null;
        _closeDescription = null;
        try
        {
            if (!await UpgradeAsync(socket, reader))
            {
                return false; // refused, counted
            }

            while (true)
            {
                await SendPongsAsync(socket);
                if (_closeStatus is { } status)
                {
                    OnCloseStatus(status, _closeDescription);
                    await SendCloseAsync(socket);
                    return true;
                }

                // Wait for bytes without a buffer (an idle subscriber holds none); the phase's end closes the socket.
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, CancellationToken.None);
                var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBytes);
                try
                {
                    var read = await socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None);
                    if (read == 0)
                    {
                        throw ClosedWithoutHandshake();
                    }

                    _core.Meter.OnRead(read, 0);
                    Take(reader, buffer.AsSpan(0, read));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("The phase ended.", e, cancellationToken);
        }
        finally
        {
            ReturnPongs();
        }
    }

    /// <summary>The target ended the connection before the close handshake.</summary>
    private static WebSocketException ClosedWithoutHandshake() =>
        new(WebSocketError.ConnectionClosedPrematurely, "The target closed the connection without completing the close handshake.");

    /// <summary>The session is over: the pong buffer, if one was rented, goes back.</summary>
    private void ReturnPongs()
    {
        if (_pongs is not null)
        {
            ArrayPool<byte>.Shared.Return(_pongs);
            _pongs = null;
        }

        _pongsLength = 0;
    }

    /// <summary>Takes one read's bytes: hands every message to <see cref="OnMessage"/>, queues a pong per ping, and
    /// stops at a close frame (nothing follows it).</summary>
    private void Take(WebSocketMessageReader reader, ReadOnlySpan<byte> bytes)
    {
        while (_closeStatus is null && reader.TryRead(ref bytes, out var kind, out var payload))
        {
            switch (kind)
            {
                case WebSocketFrameKind.Text:
                    OnMessage(payload, WebSocketMessageType.Text);
                    break;
                case WebSocketFrameKind.Binary:
                    OnMessage(payload, WebSocketMessageType.Binary);
                    break;
                case WebSocketFrameKind.Ping:
                    QueuePong(payload);
                    _core.Meter.Settle(); // a message settles in OnMessage; a control frame's bytes are framing
                    break;
                case WebSocketFrameKind.Close:
                    _closeStatus = payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : 0;
                    _closeDescription = payload.Length > 2 ? Encoding.UTF8.GetString(payload[2..]) : null;
                    _core.Meter.Settle();
                    break;
                default:
                    _core.Meter.Settle(); // a pong: framing
                    break;
            }
        }
    }

    private void QueuePong(ReadOnlySpan<byte> payload)
    {
        var needed = _pongsLength + MaskedFrameLength(payload.Length);
        if (_pongs is null || _pongs.Length < needed)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(256, needed));
            _pongs.AsSpan(0, _pongsLength).CopyTo(bigger);
            if (_pongs is not null)
            {
                ArrayPool<byte>.Shared.Return(_pongs);
            }

            _pongs = bigger;
        }

        _pongsLength += WriteMaskedFrame(_pongs.AsSpan(_pongsLength), 0xA, payload);
    }

    private async Task SendPongsAsync(Socket socket)
    {
        if (_pongs is null)
        {
            return;
        }

        try
        {
            await SendAllAsync(socket, _pongs.AsMemory(0, _pongsLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_pongs);
            _pongs = null;
            _pongsLength = 0;
        }
    }

    /// <summary>Answers the target's close with ours (1000, no reason), as the runtime's WebSocket did; a target
    /// that already dropped the connection loses nothing by it.</summary>
    private async Task SendCloseAsync(Socket socket)
    {
        var frame = new byte[MaskedFrameLength(2)];
        Span<byte> status = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(status, (ushort)WebSocketCloseStatus.NormalClosure);
        WriteMaskedFrame(frame, 0x8, status);
        using var timeout = new CancellationTokenSource(CloseHandshakeTimeout, _core.Options.TimeProvider);
        try
        {
            await SendAllAsync(socket, frame, timeout.Token);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            _core.Meter.OnWritten(sent, 0); // frames: framing on the meter
            bytes = bytes[sent..];
        }

        _core.Meter.Settle();
    }

    /// <summary>Bytes of a masked client frame with a payload of <paramref name="payloadLength"/> (≤ 125: control frames).</summary>
    internal static int MaskedFrameLength(int payloadLength) => 2 + 4 + payloadLength;

    /// <summary>Writes one final, masked client frame (RFC 6455 §5.2–5.3) of a control opcode; returns its length.</summary>
    internal static int WriteMaskedFrame(Span<byte> destination, byte opcode, ReadOnlySpan<byte> payload)
    {
        destination[0] = (byte)(0x80 | opcode);
        destination[1] = (byte)(0x80 | payload.Length);
        var mask = destination.Slice(2, 4);
        RandomNumberGenerator.Fill(mask);
        for (var i = 0; i < payload.Length; i++)
        {
            destination[6 + i] = (byte)(payload[i] ^ mask[i & 3]);
        }

        return MaskedFrameLength(payload.Length);
    }
}
