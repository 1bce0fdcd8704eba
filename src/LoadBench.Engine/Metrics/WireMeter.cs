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
/// </remarks>
internal sealed class WireMeter
{
    private readonly ClientCounters _counters;
    private long _socketBytes;
    private long _headerBytes;
    private long _settledSocketBytes;
    private long _settledHeaderBytes;
    private long _unsettledPayload;

    public WireMeter(ClientCounters counters)
    {
        ArgumentNullException.ThrowIfNull(counters);
        _counters = counters;
    }

    /// <summary>Bytes read from and written to this client's sockets so far.</summary>
    public long SocketBytes => Interlocked.Read(ref _socketBytes);

    /// <summary>Head bytes among <see cref="SocketBytes"/>.</summary>
    public long HeaderBytes => Interlocked.Read(ref _headerBytes);

    internal void OnRead(int bytes, int headerBytes)
    {
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

    /// <summary>Moves header and framing bytes seen since the last call into the counters.</summary>
    public void Settle()
    {
        var headers = Interlocked.Read(ref _headerBytes);
        var socket = Interlocked.Read(ref _socketBytes);
        var headerDelta = headers - _settledHeaderBytes;
        var framingDelta = socket - _settledSocketBytes - headerDelta - _unsettledPayload;
        _settledHeaderBytes = headers;
        _settledSocketBytes = socket;
        _unsettledPayload = 0;
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
