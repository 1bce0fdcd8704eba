using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Metrics;

/// <summary>
/// The byte meter of one client. Its connections report every byte they read and write on the socket
/// (<see cref="Transports.Connections.CountingStream"/>), with the head bytes among them found by an
/// <see cref="HttpMessageScanner"/>; the client reports the payload (event JSON) bytes it delivers.
/// <see cref="Settle"/> moves what happened since the last settle into <see cref="ClientCounters"/>:
/// headers as scanned, and framing as everything else, so that
/// <c>payload + framing + headers == socket bytes read + written</c> holds exactly after every settle.
/// </summary>
/// <remarks>
/// Framing is a remainder on purpose: SSE field names, chunk lines, WebSocket frame headers and masks, close
/// frames, array brackets and commas, error bodies — whatever is on the wire and is neither a head nor an
/// event — lands there, and nothing can be counted twice or missed. Between two settles a read may already
/// hold part of the next event; the remainder then runs ahead by those bytes and gives them back at the next
/// settle, so sums are exact at every settle point and per-event figures are averages over many events.
/// Connections call in from the I/O completion side (read-ahead on a pooled connection can complete on
/// another thread), so the socket totals are interlocked; <see cref="Payload"/> and <see cref="Settle"/>
/// belong to the client's own flow.
/// <para>
/// With compression (<see cref="Compressed"/>) the wire carries no event bytes to count: its payload is the
/// compressed body — WebSocket data-frame payloads, the bytes of a body sent with a Content-Encoding — which the
/// connections' scanners find on the socket (<see cref="OnRead"/>'s <c>encodedBodyBytes</c>), and framing stays
/// the remainder (chunk lines, frame headers, control frames). The events' own bytes and the decoded body are
/// counted beside it (<see cref="ClientCounters.UncompressedPayload"/>, <see cref="Decoded"/>), so the report can
/// show the split the decoded stream would have had and the ratio. Compressed payload is counted when read, so
/// the sums are exact at every settle with nothing running ahead.
/// </para>
/// </remarks>
internal sealed class WireMeter
{
    private readonly ClientCounters _counters;
    private long _socketBytes;
    private long _headerBytes;
    private long _settledSocketBytes;
    private long _settledHeaderBytes;
    private long _unsettledPayload;
    private long _encodedBodyBytes;
    private long _settledEncodedBodyBytes;

    /// <param name="counters">The client's counters.</param>
    /// <param name="compressed">The client negotiates compression: the wire's payload is the compressed body.</param>
    public WireMeter(ClientCounters counters, bool compressed = false)
    {
        ArgumentNullException.ThrowIfNull(counters);
        _counters = counters;
        Compressed = compressed;
    }

    /// <summary>Whether the wire's payload is the compressed body found by the scanners rather than event bytes.</summary>
    public bool Compressed { get; }

    /// <summary>Bytes read from and written to this client's sockets so far.</summary>
    public long SocketBytes => Interlocked.Read(ref _socketBytes);

    /// <summary>Head bytes among <see cref="SocketBytes"/>.</summary>
    public long HeaderBytes => Interlocked.Read(ref _headerBytes);

    internal void OnRead(int bytes, int headerBytes, long encodedBodyBytes = 0)
    {
        if (encodedBodyBytes != 0)
        {
            Interlocked.Add(ref _encodedBodyBytes, encodedBodyBytes);
        }

        Interlocked.Add(ref _headerBytes, headerBytes);
        Interlocked.Add(ref _socketBytes, bytes);
        _counters.SocketRead(bytes);
    }

    internal void OnWritten(int bytes, int headerBytes)
    {
        Interlocked.Add(ref _headerBytes, headerBytes);
        Interlocked.Add(ref _socketBytes, bytes);
        _counters.SocketWritten(bytes);
    }

    /// <summary>Notes payload bytes the client has already counted in <see cref="ClientCounters"/>.</summary>
    public void Payload(int bytes) => _unsettledPayload += bytes;

    /// <summary>Notes body bytes the client decoded (after decompression), for the uncompressed split.</summary>
    public void Decoded(long bytes) => _counters.DecodedBody(bytes);

    /// <summary>Moves header and framing bytes seen since the last call into the counters.</summary>
    public void Settle()
    {
        var headers = Interlocked.Read(ref _headerBytes);
        var socket = Interlocked.Read(ref _socketBytes);
        var encoded = Interlocked.Read(ref _encodedBodyBytes);
        var headerDelta = headers - _settledHeaderBytes;
        var encodedDelta = encoded - _settledEncodedBodyBytes;
        var framingDelta = socket - _settledSocketBytes - headerDelta - _unsettledPayload - encodedDelta;
        _settledHeaderBytes = headers;
        _settledSocketBytes = socket;
        _settledEncodedBodyBytes = encoded;
        _unsettledPayload = 0;
        if (encodedDelta != 0)
        {
            _counters.CompressedPayload(encodedDelta);
        }

        if (headerDelta != 0)
        {
            _counters.Headers(headerDelta);
        }

        if (framingDelta != 0)
        {
            _counters.Framing(framingDelta);
        }
    }
}
