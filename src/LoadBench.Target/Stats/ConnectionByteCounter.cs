using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace LoadBench.Target.Stats;

/// <summary>
/// Counts one connection's socket bytes and attributes them to the transport of the request in progress.
/// <para>
/// A request's head is read before the app knows which transport it is for, so bytes read between requests
/// are held as pending and handed to the next request's transport when it begins. Bytes written are
/// attributed to the transport of the latest request (a response's tail can be written after its
/// middleware returned). Heads (request line or status line, headers, blank line) are found by
/// <see cref="HeadScanner"/>: reading scans from the start of each request, writing from the start of each
/// response. Our clients do not pipeline requests; with pipelining the next request's head could be
/// attributed to the previous request's transport.
/// </para>
/// </summary>
internal sealed class ConnectionByteCounter(FeedStats stats, bool scanHeads = true) : IDuplexPipe
{
    /// <summary>
    /// Wraps the connection's transport so every byte read and written on the socket is counted (real bytes, not
    /// estimates), and leaves the counter among the connection's features for <see cref="TransportAttributionMiddleware"/>
    /// (a request's features fall back to its connection's). A feature, not an entry in <c>connection.Items</c>: that
    /// dictionary exists only once someone asks for it, and costs about 240 bytes per connection (README "Tuning").
    /// The caller closes it when the connection ends.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="stats">Where the counts go.</param>
    /// <param name="scanHeads">False on the HTTP/2 and HTTPS endpoints: their bytes are frames or TLS records, not
    /// HTTP/1.1 heads, so all of them count as framing here (bytes and payload stay exact; the engine splits the rest).</param>
    public static ConnectionByteCounter Attach(ConnectionContext connection, FeedStats stats, bool scanHeads = true)
    {
        var counter = new ConnectionByteCounter(stats, scanHeads) { Connection = connection };
        counter.Input = new CountingPipeReader(connection.Transport.Input, counter);
        counter.Output = new CountingPipeWriter(connection.Transport.Output, counter);
        connection.Transport = counter;
        connection.Features.Set(counter);
        return counter;
    }

    /// <summary>The connection's transport as Kestrel sees it: every byte read and written passes the counter. The
    /// counter is the duplex pipe itself (no object of its own for the pair: README "Tuning").</summary>
    public PipeReader Input { get; private set; } = null!;

    /// <inheritdoc cref="Input"/>
    public PipeWriter Output { get; private set; } = null!;

    /// <summary>The connection counted, so a feed request can register it with <see cref="FeedSockets"/>.</summary>
    public ConnectionContext? Connection { get; private init; }

    /// <summary>Set by the first feed request on this connection (<see cref="TransportAttributionMiddleware"/>).</summary>
    public bool CarriedFeed { get; set; }

    // Every method below locks this object's monitor (nobody else locks it): a Lock of its own would be 40 bytes more
    // per connection (README "Tuning").
    private TransportCounters? _current;
    private TransportCounters? _latest;
    private long _pendingRead;
    private long _pendingReadHead;
    private long _pendingWritten;
    private HeadScanner _readHead = StartedScanner();
    private HeadScanner _writeHead;

    public void OnRead(ReadOnlySequence<byte> consumed)
    {
        if (consumed.IsEmpty)
        {
            return;
        }

        lock (this)
        {
            long head = 0;
            if (scanHeads && _readHead.Active)
            {
                foreach (var segment in consumed)
                {
                    head += _readHead.Scan(segment.Span);
                    if (!_readHead.Active)
                    {
                        break;
                    }
                }
            }

            if (_current is { } transport)
            {
                transport.Read(consumed.Length, head);
            }
            else
            {
                _pendingRead += consumed.Length;
                _pendingReadHead += head;
            }
        }
    }

    public void OnWrite(ReadOnlySpan<byte> written)
    {
        if (written.IsEmpty)
        {
            return;
        }

        lock (this)
        {
            var head = scanHeads ? _writeHead.Scan(written) : 0;
            if (_latest is { } transport)
            {
                transport.Written(written.Length, head);
            }
            else
            {
                // Before the first request: a TLS handshake or HTTP/2's SETTINGS — the connection's cost, so its
                // first request's transport's (an HTTP/1.1 head is never written before a request starts).
                _pendingWritten += written.Length;
            }
        }
    }

    public void BeginRequest(TransportCounters transport)
    {
        lock (this)
        {
            _current = transport;
            _latest = transport;
            transport.Read(_pendingRead, _pendingReadHead);
            transport.Written(_pendingWritten, 0);
            _pendingRead = 0;
            _pendingReadHead = 0;
            _pendingWritten = 0;
            _writeHead.Start();
        }
    }

    public void EndRequest()
    {
        lock (this)
        {
            _current = null;
            _readHead.Start();
        }
    }

    /// <summary>The connection closed: bytes read after the last request (a partial or refused request) still count.</summary>
    public void Close()
    {
        lock (this)
        {
            (_latest ?? stats.Other).Read(_pendingRead, _pendingReadHead);
            (_latest ?? stats.Other).Written(_pendingWritten, 0);
            _pendingRead = 0;
            _pendingReadHead = 0;
            _pendingWritten = 0;
        }
    }

    private static HeadScanner StartedScanner()
    {
        var scanner = new HeadScanner();
        scanner.Start();
        return scanner;
    }
}
