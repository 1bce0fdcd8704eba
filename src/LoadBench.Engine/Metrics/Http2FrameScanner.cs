namespace LoadBench.Engine.Metrics;

/// <summary>
/// Finds the header bytes in one direction of an HTTP/2 connection's plaintext (RFC 9113): the HPACK header
/// blocks of HEADERS, CONTINUATION and PUSH_PROMISE frames. Everything else — the client's 24-byte connection
/// preface, every 9-byte frame header, the pad length, priority fields and padding, and the payloads of SETTINGS,
/// WINDOW_UPDATE, PING, RST_STREAM, GOAWAY and PRIORITY frames — is framing; DATA payloads are left to the
/// clients, which report the event JSON in them as payload (the rest of a DATA payload, SSE field names or
/// WebSocket frame headers, is framing as over HTTP/1.1). Reads may split anywhere: the scanner keeps its place
/// across calls, one byte at a time if need be.
/// <para>
/// With <c>webSocketData</c> (the server's direction of a connection carrying WebSockets over HTTP/2, RFC 8441, with
/// permessage-deflate) the DATA payloads of every stream whose response was <c>:status 200</c> are followed as
/// WebSocket frames, one <see cref="WebSocketFrameScanner"/> per stream, and their data-frame payloads — the
/// compressed messages — are counted (<see cref="WebSocketDataBytes"/>): the wire's payload under compression. A
/// 200 is found by the header block's first byte: <c>:status</c> comes first (RFC 9113 §8.3), and a 200 is HPACK's
/// static entry 8, indexed as the one byte 0x88 by every encoder that indexes it (Kestrel and nginx do); a response
/// sent otherwise is not taken for a WebSocket, and its bytes stay framing.
/// </para>
/// </summary>
internal sealed class Http2FrameScanner
{
    public const int PrefaceLength = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    public const int FrameHeaderLength = 9;

    private const byte Data = 0x0;
    private const byte Headers = 0x1;
    private const byte RstStream = 0x3;
    private const byte FlagEndStream = 0x1;
    private const byte IndexedStatus200 = 0x88;
    private const byte PushPromise = 0x5;
    private const byte Continuation = 0x9;
    private const byte FlagPadded = 0x8;
    private const byte FlagPriority = 0x20;

    private readonly byte[] _header = new byte[FrameHeaderLength];
    private int _prefaceLeft;
    private int _headerFilled;
    private bool _inPayload;
    private int _length;

    // Where the current frame's payload is: lead (pad length, priority or promised stream id), block, padding;
    // or all "other" for frames without a header block.
    private int _otherLeft;
    private int _leadLeft;
    private bool _padLengthNext;
    private int _blockLeft;
    private int _padLeft;

    // WebSocket data only: each open WebSocket stream's frame scanner, the current DATA frame's, and whether the
    // current HEADERS frame's first block byte is still to be seen (then it is the stream's status).
    private readonly Dictionary<int, WebSocketFrameScanner>? _webSockets;
    private WebSocketFrameScanner? _dataFrames;
    private int _dataLeft;
    private int _stream;
    private bool _statusNext;

    /// <param name="fromClient">The client's direction, which starts with the connection preface.</param>
    /// <param name="webSocketData">The server's direction of WebSockets over HTTP/2 with permessage-deflate: count
    /// the WebSocket data-frame payloads inside DATA frames.</param>
    public Http2FrameScanner(bool fromClient, bool webSocketData = false)
    {
        _prefaceLeft = fromClient ? PrefaceLength : 0;
        _webSockets = webSocketData ? [] : null;
    }

    /// <summary>Frames whose header was read in full so far.</summary>
    public long Frames { get; private set; }

    /// <summary>WebSocket data-frame payload bytes found in DATA frames so far (only with <c>webSocketData</c>).</summary>
    public long WebSocketDataBytes { get; private set; }

    /// <summary>Takes the next bytes of the direction; returns how many of them are header-block bytes.</summary>
    public int Scan(ReadOnlySpan<byte> data)
    {
        var head = 0;
        var i = 0;
        while (i < data.Length)
        {
            var left = data.Length - i;
            if (_prefaceLeft > 0)
            {
                var n = Math.Min(_prefaceLeft, left);
                _prefaceLeft -= n;
                i += n;
            }
            else if (!_inPayload)
            {
                var n = Math.Min(FrameHeaderLength - _headerFilled, left);
                data.Slice(i, n).CopyTo(_header.AsSpan(_headerFilled));
                _headerFilled += n;
                i += n;
                if (_headerFilled == FrameHeaderLength)
                {
                    BeginFrame();
                }
            }
            else if (_otherLeft > 0)
            {
                var n = Math.Min(_otherLeft, left);
                _otherLeft -= n;
                i += n;
            }
            else if (_leadLeft > 0)
            {
                if (_padLengthNext)
                {
                    // The pad length is the first lead byte: now the block's length is known.
                    _padLengthNext = false;
                    _padLeft = data[i];
                    _blockLeft = Math.Max(0, _blockLeft - _padLeft);
                    _dataLeft = Math.Max(0, _dataLeft - _padLeft);
                    _leadLeft--;
                    i++;
                }
                else
                {
                    var n = Math.Min(_leadLeft, left);
                    _leadLeft -= n;
                    i += n;
                }
            }
            else if (_blockLeft > 0)
            {
                if (_statusNext)
                {
                    _statusNext = false;
                    if (data[i] == IndexedStatus200)
                    {
                        _webSockets![_stream] = new WebSocketFrameScanner();
                    }
                }

                var n = Math.Min(_blockLeft, left);
                _blockLeft -= n;
                head += n;
                i += n;
            }
            else if (_dataLeft > 0)
            {
                var n = Math.Min(_dataLeft, left);
                var before = _dataFrames!.DataPayloadBytes;
                _dataFrames.Scan(data.Slice(i, n));
                WebSocketDataBytes += _dataFrames.DataPayloadBytes - before;
                _dataLeft -= n;
                i += n;
            }
            else
            {
                var n = Math.Min(_padLeft, left);
                _padLeft -= n;
                i += n;
            }

            if (_inPayload && _otherLeft == 0 && _leadLeft == 0 && _blockLeft == 0 && _dataLeft == 0 && _padLeft == 0)
            {
                _inPayload = false;
            }
        }

        return head;
    }

    private void BeginFrame()
    {
        _headerFilled = 0;
        Frames++;
        _length = (_header[0] << 16) | (_header[1] << 8) | _header[2];
        var type = _header[3];
        var flags = _header[4];
        _otherLeft = _leadLeft = _blockLeft = _padLeft = _dataLeft = 0;
        _padLengthNext = false;
        _statusNext = false;
        _stream = ((_header[5] & 0x7f) << 24) | (_header[6] << 16) | (_header[7] << 8) | _header[8];
        if (_webSockets is not null && type == Data && _webSockets.TryGetValue(_stream, out var frames))
        {
            _dataFrames = frames;
            var padded = (flags & FlagPadded) != 0;
            _leadLeft = padded ? Math.Min(1, _length) : 0;
            _padLengthNext = padded && _leadLeft > 0;
            _dataLeft = _length - _leadLeft; // less the padding, once its length is read
        }
        else if (type is Headers or PushPromise or Continuation)
        {
            var padded = type != Continuation && (flags & FlagPadded) != 0;
            var lead = (padded ? 1 : 0)
                + (type == Headers && (flags & FlagPriority) != 0 ? 5 : 0)
                + (type == PushPromise ? 4 : 0);
            _leadLeft = Math.Min(lead, _length);
            _padLengthNext = padded && _leadLeft > 0;
            _blockLeft = _length - _leadLeft; // less the padding, once its length is read
            _statusNext = _webSockets is not null && type == Headers && !_webSockets.ContainsKey(_stream);
        }
        else
        {
            _otherLeft = _length;
        }

        if (_webSockets is not null && (type == RstStream || (type is Data or Headers && (flags & FlagEndStream) != 0)))
        {
            // The stream ends with this frame (its DATA still goes to the scanner taken above): forget it.
            _webSockets.Remove(_stream);
        }

        _inPayload = _length > 0;
    }
}
