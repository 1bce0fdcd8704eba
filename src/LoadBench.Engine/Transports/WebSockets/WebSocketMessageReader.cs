using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;

namespace LoadBench.Engine.Transports.WebSockets;

/// <summary>What a <see cref="WebSocketMessageReader"/> read: a whole data message or one control frame.</summary>
internal enum WebSocketFrameKind { Text, Binary, Close, Ping, Pong }

/// <summary>
/// An incremental reader of the frames a server sends (RFC 6455 §5: unmasked, no extension) that holds no buffer
/// while it waits: the caller hands it the bytes read from the socket, split anywhere, and gets whole messages
/// (continuation frames joined) and control frames out one at a time.
/// </summary>
/// <remarks>
/// Why not the runtime's WebSocket over a stream (issue 14, engine CPU and memory per subscriber): per event it
/// took a zero-byte read and a header read through two stream layers and two async calls into the WebSocket, and
/// each session kept the WebSocket, its buffers and the counting streams alive. Here a frame that lies whole in the
/// caller's bytes is handed out as a slice of them (the usual case: no copy); only a frame cut by a read boundary,
/// or a message in several frames, is copied into an array rented for as long as it stays incomplete.
/// </remarks>
internal sealed class WebSocketMessageReader : IDisposable
{
    // The largest message taken (the target's events are a few hundred bytes, its largest ~64 KiB): a bigger one is
    // refused rather than grown without bound.
    internal const int MaxMessageBytes = 16 * 1024 * 1024;

    private const int MaxHeaderBytes = 14; // 2 + 8-byte length (+ 4-byte mask, which a server must not send)

    private byte[]? _frame;          // a frame cut by a read boundary: its bytes so far
    private int _frameLength;
    private byte[]? _message;        // a message in several frames: its payload so far
    private int _messageLength;
    private WebSocketFrameKind _messageKind;
    private bool _inMessage;
    private bool _releaseFrame;      // the last payload handed out lives in _frame / _message: release on the next call
    private bool _releaseMessage;

    /// <summary>True while an incomplete frame or message is held between calls (an array is rented for it).</summary>
    public bool Holding => _frame is not null || _message is not null;

    /// <summary>
    /// Reads frames from <paramref name="bytes"/> until one completes a message or is a control frame: then returns
    /// true with its kind and payload (valid until the next call) and leaves the rest in <paramref name="bytes"/>.
    /// False when the bytes are used up first; what they began is kept for the next call. Throws
    /// <see cref="WebSocketException"/> on a frame no server may send (masked, reserved bits or opcodes, a control
    /// frame fragmented or over 125 bytes, a continuation without a start) or a message over 16 MiB.
    /// </summary>
    public bool TryRead(ref ReadOnlySpan<byte> bytes, out WebSocketFrameKind kind, out ReadOnlySpan<byte> payload)
    {
        Release();
        while (true)
        {
            ReadOnlySpan<byte> frame;
            int headerLength;
            long payloadLength;
            if (_frameLength == 0 && TryParseHeader(bytes, out headerLength, out payloadLength) && bytes.Length - headerLength >= payloadLength)
            {
                frame = bytes[..(headerLength + (int)payloadLength)]; // whole in these bytes: no copy
                bytes = bytes[frame.Length..];
            }
            else if (TryCompleteHeldFrame(ref bytes, out headerLength, out payloadLength))
            {
                frame = _frame.AsSpan(0, headerLength + (int)payloadLength); // released on the next call
            }
            else
            {
                kind = default;
                payload = default;
                return false;
            }

            var fin = (frame[0] & 0x80) != 0;
            var opcode = frame[0] & 0x0F;
            var data = frame[headerLength..];
            if (opcode >= 0x8)
            {
                kind = opcode switch
                {
                    0x8 => WebSocketFrameKind.Close,
                    0x9 => WebSocketFrameKind.Ping,
                    _ => WebSocketFrameKind.Pong,
                };
                payload = data;
                return true;
            }

            if (opcode != 0x0)
            {
                if (_inMessage)
                {
                    throw Protocol("A new data frame came before the previous message's last frame.");
                }

                kind = opcode == 0x1 ? WebSocketFrameKind.Text : WebSocketFrameKind.Binary;
                if (fin)
                {
                    payload = data;
                    return true;
                }

                _inMessage = true;
                _messageKind = kind;
                Append(ref _message, ref _messageLength, data);
                ReleaseFrame(); // its payload is copied
                continue;
            }

            if (!_inMessage)
            {
                throw Protocol("A continuation frame came without a message to continue.");
            }

            Append(ref _message, ref _messageLength, data);
            ReleaseFrame();
            if (fin)
            {
                _inMessage = false;
                _releaseMessage = true;
                kind = _messageKind;
                payload = _message.AsSpan(0, _messageLength);
                return true;
            }
        }
    }

    /// <summary>Returns what is held and forgets a half-read frame or message: the reader starts a new session.</summary>
    public void Reset()
    {
        _releaseFrame = _releaseMessage = true;
        Release();
        _inMessage = false;
    }

    public void Dispose() => Reset();

    private void Release()
    {
        ReleaseFrame();

        if (_releaseMessage)
        {
            _releaseMessage = false;
            Return(ref _message, ref _messageLength);
        }
    }

    private void ReleaseFrame()
    {
        if (_releaseFrame)
        {
            _releaseFrame = false;
            Return(ref _frame, ref _frameLength);
        }
    }

    /// <summary>Adds the bytes to the held frame until it is whole: then true (the caller hands it out; it is released
    /// on the next call). False, with every byte taken, when the frame goes on past them.</summary>
    private bool TryCompleteHeldFrame(ref ReadOnlySpan<byte> bytes, out int headerLength, out long payloadLength)
    {
        // The header first: at most 14 bytes, parsed from what is held and what came.
        Span<byte> head = stackalloc byte[MaxHeaderBytes];
        var held = Math.Min(_frameLength, MaxHeaderBytes);
        _frame.AsSpan(0, held).CopyTo(head);
        var added = Math.Min(bytes.Length, MaxHeaderBytes - held);
        bytes[..added].CopyTo(head[held..]);
        if (!TryParseHeader(head[..(held + added)], out headerLength, out payloadLength))
        {
            Append(ref _frame, ref _frameLength, bytes);
            bytes = default;
            return false;
        }

        var total = headerLength + (int)payloadLength;
        var take = Math.Min(bytes.Length, total - _frameLength);
        Append(ref _frame, ref _frameLength, bytes[..take]);
        bytes = bytes[take..];
        if (_frameLength < total)
        {
            return false;
        }

        _releaseFrame = true;
        return true;
    }

    /// <summary>Parses a frame's header: false when <paramref name="bytes"/> does not hold all of it yet.</summary>
    private static bool TryParseHeader(ReadOnlySpan<byte> bytes, out int headerLength, out long payloadLength)
    {
        headerLength = 0;
        payloadLength = 0;
        if (bytes.Length < 2)
        {
            return false;
        }

        var first = bytes[0];
        var second = bytes[1];
        if ((first & 0x70) != 0)
        {
            throw Protocol("A frame has reserved bits set, and no extension was negotiated.");
        }

        if ((second & 0x80) != 0)
        {
            throw Protocol("A server frame is masked.");
        }

        var opcode = first & 0x0F;
        if (opcode is > 0x2 and < 0x8 or > 0xA)
        {
            throw Protocol($"A frame has the reserved opcode {opcode}.");
        }

        var length7 = second & 0x7F;
        if (opcode >= 0x8 && ((first & 0x80) == 0 || length7 > 125))
        {
            throw Protocol("A control frame is fragmented or longer than 125 bytes.");
        }

        switch (length7)
        {
            case 126:
                if (bytes.Length < 4)
                {
                    return false;
                }

                headerLength = 4;
                payloadLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
                break;
            case 127:
                if (bytes.Length < 10)
                {
                    return false;
                }

                headerLength = 10;
                var length64 = BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]);
                payloadLength = length64 > MaxMessageBytes ? long.MaxValue : (long)length64;
                break;
            default:
                headerLength = 2;
                payloadLength = length7;
                break;
        }

        if (payloadLength > MaxMessageBytes)
        {
            throw new WebSocketException(WebSocketError.Faulted, $"A frame is over {MaxMessageBytes} bytes.");
        }

        return true;
    }

    private static void Append(ref byte[]? array, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (length + (long)bytes.Length > MaxMessageBytes + MaxHeaderBytes)
        {
            throw new WebSocketException(WebSocketError.Faulted, $"A message is over {MaxMessageBytes} bytes.");
        }

        if (array is null || length + bytes.Length > array.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(256, Math.Max(length + bytes.Length, (array?.Length ?? 0) * 2)));
            array.AsSpan(0, length).CopyTo(bigger);
            if (array is not null)
            {
                ArrayPool<byte>.Shared.Return(array);
            }

            array = bigger;
        }

        bytes.CopyTo(array.AsSpan(length));
        length += bytes.Length;
    }

    private static void Return(ref byte[]? array, ref int length)
    {
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
            array = null;
        }

        length = 0;
    }

    private static WebSocketException Protocol(string message) => new(WebSocketError.Faulted, message);
}
