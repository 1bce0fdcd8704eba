using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Metrics;

/// <summary>
/// The byte meter of one connection's worth of clients (one client, or the streams sharing one HTTP/2
/// connection). Connections report every byte they read and write on the socket
/// (<see cref="Transports.Connections.CountingStream"/>) and, one layer up, every plaintext byte (above TLS when
/// there is TLS; the same bytes when there is none), with the head bytes among them found by a scanner
/// (<see cref="HttpMessageScanner"/> for HTTP/1.1, <see cref="Http2FrameScanner"/> for HTTP/2); the clients report
/// the payload (event JSON) bytes they deliver. <see cref="Settle"/> moves what happened since the last settle into
/// <see cref="ClientCounters"/>: headers as scanned, TLS as socket minus plaintext, and framing as the rest of the
/// plaintext, so that <c>payload + framing + headers + tls == socket bytes read + written</c> holds exactly after
/// every settle.
/// </summary>
/// <remarks>
/// Framing is a remainder on purpose: SSE field names, chunk lines, WebSocket frame headers and masks, close
/// frames, array brackets and commas, HTTP/2 frame headers and control frames, error bodies — whatever is on the
/// wire and is neither a head nor an event — lands there, and nothing can be counted twice or missed. Between two
/// settles a read may already hold part of the next event (or TLS records not yet decrypted); the remainders then
/// run ahead by those bytes and give them back at a later settle, so sums are exact at every settle point and
/// per-event figures are averages over many events. Connections call in from the I/O completion side, so the
/// totals are interlocked; payload and settle are locked because the streams of one shared HTTP/2 connection
/// settle from their own flows (the counters written are the first client's: only this meter writes their
/// header, framing and TLS fields, so the single-writer rule of <see cref="ClientCounters"/> still holds).
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
    private readonly Lock _settling = new();
    private long _socketBytes;
    private long _plainBytes;
    private long _headerBytes;
    private long _settledSocketBytes;
    private long _settledPlainBytes;
    private long _settledHeaderBytes;
    private long _unsettledPayload;
    private long _encodedBodyBytes;
    private long _settledEncodedBodyBytes;

    /// <param name="counters">The client's counters.</param>
    /// <param name="compressed">The client negotiates compression: the wire's payload is the compressed body.</param>
    /// <param name="deflatedFrames">The compression is permessage-deflate: over HTTP/2 the compressed messages are
    /// WebSocket frames inside DATA frames, which the frame scanner follows.</param>
    public WireMeter(ClientCounters counters, bool compressed = false, bool deflatedFrames = false)
    {
        ArgumentNullException.ThrowIfNull(counters);
        _counters = counters;
        Compressed = compressed;
        DeflatedFrames = compressed && deflatedFrames;
    }

    /// <summary>Whether the wire's payload is the compressed body found by the scanners rather than event bytes.</summary>
    public bool Compressed { get; }

    /// <summary>Whether the compressed body is permessage-deflate's WebSocket data-frame payloads.</summary>
    public bool DeflatedFrames { get; }

    /// <summary>Bytes read from and written to the sockets so far.</summary>
    public long SocketBytes => Interlocked.Read(ref _socketBytes);

    /// <summary>Plaintext bytes (above TLS) so far; equal to <see cref="SocketBytes"/> without TLS.</summary>
    public long PlaintextBytes => Interlocked.Read(ref _plainBytes);

    /// <summary>Head bytes among <see cref="PlaintextBytes"/>.</summary>
    public long HeaderBytes => Interlocked.Read(ref _headerBytes);

    /// <summary>A read on a plain connection: socket and plaintext bytes at once.</summary>
    internal void OnRead(int bytes, int headerBytes, long encodedBodyBytes = 0)
    {
        OnSocketRead(bytes);
        OnPlaintext(bytes, headerBytes, encodedBodyBytes);
    }

    /// <summary>A write on a plain connection: socket and plaintext bytes at once.</summary>
    internal void OnWritten(int bytes, int headerBytes)
    {
        OnSocketWritten(bytes);
        OnPlaintext(bytes, headerBytes);
    }

    /// <summary>Bytes read from the socket, below TLS.</summary>
    internal void OnSocketRead(int bytes)
    {
        Interlocked.Add(ref _socketBytes, bytes);
        _counters.SocketRead(bytes);
    }

    /// <summary>Bytes written to the socket, below TLS.</summary>
    internal void OnSocketWritten(int bytes)
    {
        Interlocked.Add(ref _socketBytes, bytes);
        _counters.SocketWritten(bytes);
    }

    /// <summary>Plaintext bytes read or written above TLS, <paramref name="headerBytes"/> of them head bytes;
    /// <paramref name="encodedBodyBytes"/>: compressed body bytes among them (the wire's payload under compression).</summary>
    internal void OnPlaintext(int bytes, int headerBytes, long encodedBodyBytes = 0)
    {
        if (encodedBodyBytes != 0)
        {
            Interlocked.Add(ref _encodedBodyBytes, encodedBodyBytes);
        }

        Interlocked.Add(ref _headerBytes, headerBytes);
        Interlocked.Add(ref _plainBytes, bytes);
    }

    /// <summary>Compressed body bytes the client read out of an HTTP/2 response (DATA payloads, which the frame
    /// scanner leaves to the clients): the wire's payload under compression. Counted when the client reads them, a
    /// little after the socket did: framing lends them in between and gives them back at the next settle.</summary>
    public void EncodedBody(long bytes) => Interlocked.Add(ref _encodedBodyBytes, bytes);

    /// <summary>Notes payload bytes the client has already counted in its own <see cref="ClientCounters"/>.</summary>
    public void Payload(int bytes) => Interlocked.Add(ref _unsettledPayload, bytes);

    /// <summary>Notes body bytes the client decoded (after decompression), for the uncompressed split.</summary>
    public void Decoded(long bytes) => _counters.DecodedBody(bytes);

    /// <summary>Moves header, framing and TLS bytes seen since the last call into the counters.</summary>
    public void Settle()
    {
        lock (_settling)
        {
            var headers = Interlocked.Read(ref _headerBytes);
            var plain = Interlocked.Read(ref _plainBytes);
            var socket = Interlocked.Read(ref _socketBytes);
            var payload = Interlocked.Exchange(ref _unsettledPayload, 0);
            var encoded = Interlocked.Read(ref _encodedBodyBytes);
            var encodedDelta = encoded - _settledEncodedBodyBytes;
            var headerDelta = headers - _settledHeaderBytes;
            var plainDelta = plain - _settledPlainBytes;
            var tlsDelta = socket - _settledSocketBytes - plainDelta;
            var framingDelta = plainDelta - headerDelta - payload - encodedDelta;
            _settledEncodedBodyBytes = encoded;
            _settledHeaderBytes = headers;
            _settledPlainBytes = plain;
            _settledSocketBytes = socket;
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

            if (tlsDelta != 0)
            {
                _counters.Tls(tlsDelta);
            }
        }
    }
}
