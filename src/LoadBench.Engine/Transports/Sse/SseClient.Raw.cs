using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Transports.Sse;

/// <summary>
/// The raw path of <see cref="SseClient"/>: the default setup (plain HTTP/1.1, no compression, a connection of its
/// own) read straight from a socket, the way <see cref="KeepAliveConnection"/> polls. The request head is written
/// as HttpClient writes it (request line, <c>Host</c>, then <c>Last-Event-ID</c> on a resume), the response head is
/// found and counted by the same <see cref="HttpMessageScanner"/> as everywhere, the chunks are unwrapped by
/// <see cref="ResponseBodyReader"/> and the events parsed by <see cref="SseEventReader"/>.
/// </summary>
/// <remarks>
/// Why (issue 14, memory per subscriber): through HttpClient an idle SSE subscriber held the HTTP/1.1 connection's
/// 4 KiB read and 4 KiB write buffers, SseParser's two 1 KiB buffers, its own handler stack and the request and
/// response objects for the stream's whole life. Here it holds a socket and a few small objects: it waits with a
/// zero-byte read (no buffer), rents a receive buffer only once bytes are there and returns it as soon as they
/// are parsed; an event cut by a read boundary is the only thing kept between reads. One registration on the
/// phase's token closes the socket when the phase ends, instead of one per read.
/// </remarks>
internal sealed partial class SseClient
{
    // One read takes what is there up to this; the target's events are a few hundred bytes.
    private const int ReceiveBytes = 4096;

    // After a signal the target ends the stream: its last bytes are read (and counted) for at most this long.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly SseEventReader _events = new();

    // The current raw stream (one at a time, like the client).
    private HttpMessageScanner? _scanner;
    private ResponseBodyReader? _body;
    private int _status;
    private bool _draining;

    private enum Step { More, Ended }

    private async Task ReceiveRawStreamAsync(CancellationToken cancellationToken)
    {
        byte[]? head = RawRequestHead();
        using var socket = await LoopbackConnector.ConnectRawAsync(_core.Options.BaseUri.Host, _core.Options.BaseUri.Port, _core.Options.Connections, cancellationToken);
        using var closeOnCancel = cancellationToken.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
        _scanner = new HttpMessageScanner(isResponse: true);
        _body = null;
        _status = 0;
        _draining = false;
        _events.Reset(); // whatever a cut stream left half read
        CancellationTokenSource? drainTimer = null;
        try
        {
            LoopbackConnector.SendHead(socket, head, _core.Meter);
            head = null; // not kept in the stream's state for its whole life

            while (true)
            {
                // Wait for bytes without a buffer: an idle subscriber holds none. (No token per call: the phase's
                // end closes the socket, which ends the read.)
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, CancellationToken.None);
                var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBytes);
                Step step;
                int read;
                try
                {
                    read = await socket.ReceiveAsync(buffer, SocketFlags.None, CancellationToken.None);
                    step = read == 0 ? Step.Ended : Take(buffer.AsSpan(0, read));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                if (read == 0)
                {
                    EnsureTheConnectionMayEndHere();
                }

                drainTimer ??= DrainTimerAfter(step, socket);

                if (step == Step.Ended)
                {
                    await EndRawStreamAsync(cancellationToken);
                    return;
                }
            }
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            throw new OperationCanceledException("The phase ended.", e, cancellationToken);
        }
        catch (Exception e) when (_draining && e is SocketException or ObjectDisposedException or IOException)
        {
            // The signal was counted; the end of the stream did not come in time, or the target cut it.
        }
        finally
        {
            drainTimer?.Dispose();
            _scanner = null;
            _body = null;
            _events.Reset();
        }
    }

    /// <summary>Takes one read's bytes: counts them, finds the head's end, parses events from the body.</summary>
    private Step Take(ReadOnlySpan<byte> bytes)
    {
        if (_body is null)
        {
            var head = _scanner!.Scan(bytes);
            _core.Meter.OnRead(bytes.Length, head);
            if (_scanner.Status < 200)
            {
                return Step.More; // the head goes on (or an interim 1xx came; the final head follows)
            }

            // The final head ended in these bytes: every head byte of the response came before its body.
            _status = _scanner.Status;
            _body = ResponseBodyReader.For(_scanner.Chunked, _scanner.ContentLength);
            _scanner = null;
            _core.Counters.Request();
            if (IsSuccess)
            {
                _core.Backoff.Reset();
            }

            bytes = bytes[head..];
        }
        else
        {
            _core.Meter.OnRead(bytes.Length, 0);
        }

        while (_body.TryRead(ref bytes, out var data))
        {
            // An error body and whatever follows a signal are read and counted, not parsed.
            while (IsSuccess && !_draining && _events.TryRead(ref data, out var eventType, out var eventData))
            {
                if (!OnItem(ParseItem(eventType, eventData)))
                {
                    _draining = true;
                }
            }
        }

        return _body.Ended ? Step.Ended : Step.More;
    }

    private bool IsSuccess => _status is >= 200 and < 300;

    /// <summary>Once a signal began the drain and the stream goes on (<paramref name="step"/> is More): the stream's end
    /// is read for the byte count, but never waited for long — the timer returned closes <paramref name="connection"/>
    /// (the socket, or the loop's stream) after <see cref="DrainTimeout"/>. Null otherwise.</summary>
    private CancellationTokenSource? DrainTimerAfter(Step step, IDisposable connection)
    {
        if (!_draining || step != Step.More)
        {
            return null;
        }

        var timer = new CancellationTokenSource(DrainTimeout);
        timer.Token.UnsafeRegister(static s => ((IDisposable)s!).Dispose(), connection);
        return timer;
    }

    /// <summary>The target closed the connection: the stream's end, unless its response was still going on (a body that
    /// does not end with the connection, or no head yet) and no signal began the drain.</summary>
    private void EnsureTheConnectionMayEndHere()
    {
        if (!_draining && _body is not { EndsWithConnection: true })
        {
            throw new HttpIOException(HttpRequestError.ResponseEnded,
                _body is null ? "The target closed the connection before the response head ended." : "The target closed the connection before the response ended.");
        }
    }

    private async Task EndRawStreamAsync(CancellationToken cancellationToken)
    {
        if (!IsSuccess)
        {
            _core.Fail(ErrorKinds.Http((HttpStatusCode)_status));
            _core.Cut();
            await _core.Backoff.DelayAsync(cancellationToken);
        }
        else if (!_draining)
        {
            // The target ended the stream (shutdown, or a proxy): not expected during a run, so say so.
            _core.Fail(ErrorKinds.StreamEnded);
        }
    }

    /// <summary>The request head HttpClient wrote for the same request: request line, Host, Last-Event-ID on a
    /// resume (as EventSource resumes), blank line.</summary>
    private byte[] RawRequestHead()
    {
        var uri = SseUri;
        // Reconnects keep the first address and carry the cursor in Last-Event-ID; after a gone signal there must
        // be none (it would win over after=0).
        var after = _core.ResumeFromOldest ? 0 : _firstAfter;
        var lastEventId = _attempted && !_core.ResumeFromOldest
            ? string.Concat("Last-Event-ID: ", _core.Checker.Cursor.ToString(CultureInfo.InvariantCulture), "\r\n")
            : "";
        _attempted = true;
        return Encoding.ASCII.GetBytes(string.Concat(
            "GET ", uri.AbsolutePath, "?after=", after.ToString(CultureInfo.InvariantCulture), _core.EpochQuery, _heartbeatQuery,
            " HTTP/1.1\r\nHost: ", uri.Authority, "\r\n", lastEventId, "\r\n"));
    }
}
