using System.Buffers.Text;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Transports;

/// <summary>
/// One poll of a request/response transport (short or long polling): <c>GET {route}?after={cursor}&amp;…</c> on
/// the client's one <see cref="KeepAliveConnection"/>, deliver the events of a 200 array, treat 204 as empty,
/// 410 as the gone signal and 409 as a reset (<see cref="Contracts.FeedReset"/>); and the loop of such polls a closed model runs (<see cref="PollUntilCancelledAsync"/>).
/// Shared by <see cref="Polling.PollingClient"/> and <see cref="LongPolling.LongPollingClient"/>, which differ
/// only in route, query and the pause between polls.
/// </summary>
/// <remarks>
/// The request head is built once; only the digits of <c>after</c> change between polls (and the rest again
/// after a reset, for the new epoch). It carries exactly
/// what HttpClient would send for the same GET (request line and Host), so the header bytes per event mean
/// the same thing as a browser's or HttpClient's minimal request, not a made-up lean one.
/// </remarks>
internal sealed partial class PollExchange : IDisposable
{
    private const int MaxDigits = 19; // long.MaxValue

    private readonly ClientCore _core;
    private readonly TimeProvider _time;
    private readonly KeepAliveConnection? _connection;
    private readonly HandlerPollConnection? _handlerConnection;
    private readonly string _uriPrefix;
    private readonly HdrHistogram.Recorder _requestLatency;
    private readonly string _querySuffix;
    private readonly string _host;
    private byte[] _request;
    private readonly int _prefixLength;
    private long _headAfter = -1; // the after whose digits _request holds now (-1: none yet)
    private int _headLength;
    private byte[] _suffix;
    private string? _suffixEpoch;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _acceptEncoding;
    private readonly BodyDecoder? _decoder;

    /// <param name="core">The client's shared state.</param>
    /// <param name="route">The feed route, e.g. <c>/feed/poll</c>.</param>
    /// <param name="querySuffix">What follows <c>after=N</c>, e.g. <c>&amp;max=1000</c>.</param>
    /// <param name="timeout">How long one poll may take, connect included, before it counts as a timeout.</param>
    public PollExchange(ClientCore core, string route, string querySuffix, TimeSpan timeout)
    {
        _core = core;
        _time = core.Options.TimeProvider;
        _requestLatency = core.Options.Recorders.Request;
        var uri = new Uri(core.Options.BaseUri, route);
        var prefix = Encoding.ASCII.GetBytes(string.Concat("GET ", uri.AbsolutePath, "?after="));
        _querySuffix = querySuffix;
        _host = uri.Authority;
        _prefixLength = prefix.Length;
        _suffixEpoch = core.Epoch;
        // gzip or br: ask for exactly that coding, as a browser's fetch with only that coding enabled would.
        (_acceptEncoding, _decoder) = core.Options.Setup.Compression switch
        {
            Contracts.CompressionKinds.Gzip => ("Accept-Encoding: gzip\r\n", new BodyDecoder()),
            Contracts.CompressionKinds.Brotli => ("Accept-Encoding: br\r\n", new BodyDecoder()),
            _ => ("", null),
        };
        _suffix = Suffix();
        _request = new byte[prefix.Length + MaxDigits + _suffix.Length];
        prefix.CopyTo(_request, 0);
        _uriPrefix = uri.AbsoluteUri + "?after=";
        if (core.Protocol.NeedsHandler)
        {
            // HTTP/2 or TLS: the handler speaks them; plain HTTP/1.1 keeps the lean raw connection.
            var handler = core.CreateHandler(out var owned);
            _handlerConnection = new HandlerPollConnection(handler, owned, core.Protocol.Version, timeout, _time,
                ContentCodings.Requested(core.Options.Setup.Compression), core.Protocol.Http2 ? core.Meter : null);
        }
        else
        {
            _connection = new KeepAliveConnection(uri.Host, uri.Port, core.Meter, timeout, _time, core.Options.Connections);
            _loopEndPoint = LoopEndPoint(uri, core.Options.Connections);
            _timeout = timeout;
        }
    }

    /// <summary>
    /// The polling clients' life: poll, pause, poll again from the cursor until <paramref name="cancellationToken"/>
    /// fires. A failed poll is counted and backed off; an answered one resets the back-off and is followed by
    /// <paramref name="pause"/> — short polling's interval, zero for long polling (the target holds the request, so
    /// the client asks again at once). Each poll is timed from when it started. Returns normally on cancellation.
    /// With a pause, the first poll waits a random part of it: clients that start together (a closed model starts
    /// its copies at one tick) would otherwise poll in step for the whole run, every interval a burst of all of them,
    /// which a target serves far more cheaply per request than the spread-out polls of users who opened the page at
    /// different moments: one wake-up serves the whole burst. At 1 poll/s per client the target spent 94 µs of CPU per
    /// request for 100 clients in step and 345 µs spread out (scenarios/bench/capacity-check.sh, docs/capacity.md).
    /// </summary>
    public async Task PollUntilCancelledAsync(TimeSpan pause, CancellationToken cancellationToken)
    {
        try
        {
            if (pause > TimeSpan.Zero)
            {
                await Task.Delay(pause * _core.Options.Randomizer(), _time, cancellationToken);
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                // Straight to PollAsync, without PollInTurnAsync's gate: this loop is the client's only poller (a
                // closed model runs RunAsync, an open one SendOneAsync, never both), so there is nothing to queue.
                if (!await PollAsync(_time.GetTimestamp(), cancellationToken))
                {
                    await _core.Backoff.DelayAsync(cancellationToken);
                    continue;
                }

                _core.Backoff.Reset();
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, _time, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The phase ended: a clean stop.
        }
        finally
        {
            // An HTTP/2 connection's own frames (WINDOW_UPDATE, PING, SETTINGS) can come after the last poll's settle.
            _core.Meter.Settle();
        }
    }

    /// <summary>
    /// <see cref="PollAsync"/>, one at a time on the client's one connection: overlapping calls (an open model
    /// firing faster than the target answers) queue, and their latency, timed from the intended start,
    /// includes the wait — as it should.
    /// </summary>
    // Pooled builder: a closed-model poller calls this back to back, tens of thousands of times a second.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> PollInTurnAsync(long intendedStartTimestamp, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await PollAsync(intendedStartTimestamp, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends one poll from the cursor. Returns false when it failed (counted). Throws only
    /// <see cref="OperationCanceledException"/> for <paramref name="cancellationToken"/>.</summary>
    /// <param name="intendedStartTimestamp">When the poll was meant to start, on the client's clock
    /// (<see cref="FeedClientOptions.TimeProvider"/>): its latency is timed from there.</param>
    /// <param name="cancellationToken">Stops the poll.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> PollAsync(long intendedStartTimestamp, CancellationToken cancellationToken)
    {
        _core.BeginAttempt();
        var sentAt = _time.GetTimestamp();
        try
        {
            var response = _connection is not null
                ? await _connection.GetAsync(RequestHead(_core.After), cancellationToken)
                : await _handlerConnection!.GetAsync(RequestUri(_core.After), cancellationToken);
            return Answered(response, intendedStartTimestamp, sentAt);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (IsPollFailure(e))
        {
            return Failed(e);
        }
        finally
        {
            _core.Meter.Settle();
        }
    }

    /// <summary>What a failed poll may throw (counted as an error of its kind; anything else is a bug).</summary>
    private static bool IsPollFailure(Exception e) =>
        e is SocketException or IOException or OperationCanceledException or TimeoutException or NonLoopbackTargetException or HttpRequestException;

    /// <summary>Counts a failed poll; returns false.</summary>
    private bool Failed(Exception e)
    {
        _core.Fail(ErrorKinds.Classify(e));
        _core.Cut();
        return false;
    }

    /// <summary>Takes one answer: its latency, the events of a 200, the signals of 204, 410 and 409. Returns false
    /// when it counts as a failed poll.</summary>
    private bool Answered(in KeepAliveResponse response, long intendedStartTimestamp, long sentAt)
    {
        // The wall clock is read only for an answer that may hold events (their latency runs to here): nearly
        // every answer of a busy poller is a plain [] and needs only the request's own timing.
        var receivedMicros = IsEmptyArray(response) ? 0 : _core.NowMicros();
        LatencyRecorders.RecordMicros(_requestLatency, _time.GetElapsedTime(intendedStartTimestamp).Ticks / TimeSpan.TicksPerMicrosecond);
        if (response.Reconnected)
        {
            // The target had cut the idle connection some time before; the client learnt it as this poll went out.
            _core.CutAt(sentAt);
            _core.Counters.Reconnect();
        }

        // "Empty" means the target answered and had nothing new: 200 with [] or long polling's 204.
        switch (response.Status)
        {
            case 200:
                var delivered = response.Chunked ? -1 : DeliverArray(Decoded(response), receivedMicros);
                _core.Counters.Request(empty: delivered == 0);
                if (delivered < 0)
                {
                    _core.Fail(ErrorKinds.BadResponse);
                    _core.Cut();
                    return false;
                }

                return true;
            case 204:
                _core.Counters.Request(empty: true);
                return true;
            case 410:
                _core.Counters.Request();
                _core.Gone();
                return true;
            case FeedReset.HttpStatus:
                _core.Counters.Request();
                _core.Reset(FeedSignalReader.Body(response.Body.Span, response.Chunked) is { } body ? FeedSignalReader.EpochFromJson(body) : null);
                return true;
            default:
                _core.Counters.Request();
                _core.Fail(ErrorKinds.Http((System.Net.HttpStatusCode)response.Status));
                _core.Cut();
                return false;
        }
    }

    /// <summary>A 200 whose body is <c>[]</c> as it came off the wire (not chunked, not compressed).</summary>
    private static bool IsEmptyArray(in KeepAliveResponse response) =>
        response is { Status: 200, Chunked: false, Coding: Metrics.ContentCoding.None } && response.Body.Span.SequenceEqual("[]"u8);

    /// <summary>The request's address for the handler's connection (HTTP/2 or TLS).</summary>
    private Uri RequestUri(long after) => new(string.Concat(
        _uriPrefix, after.ToString(System.Globalization.CultureInfo.InvariantCulture), _querySuffix, _core.EpochQuery));

    /// <summary>The prebuilt request with <paramref name="after"/>'s digits in place.</summary>
    private ReadOnlyMemory<byte> RequestHead(long after)
    {
        if (!string.Equals(_suffixEpoch, _core.Epoch, StringComparison.Ordinal))
        {
            // A reset named a new epoch: the query's tail changes, once per reset.
            _suffixEpoch = _core.Epoch;
            _suffix = Suffix();
            Array.Resize(ref _request, _prefixLength + MaxDigits + _suffix.Length);
        }
        else if (after == _headAfter)
        {
            // The cursor has not moved since the last poll (most polls of a busy poller): the head is ready.
            return _request.AsMemory(0, _headLength);
        }

        Utf8Formatter.TryFormat(after, _request.AsSpan(_prefixLength, MaxDigits), out var digits);
        _suffix.CopyTo(_request, _prefixLength + digits);
        _headAfter = after;
        _headLength = _prefixLength + digits + _suffix.Length;
        return _request.AsMemory(0, _headLength);
    }

    /// <summary>What follows the digits of <c>after</c>: the rest of the query (the epoch last), then the head's end.</summary>
    private byte[] Suffix() =>
        Encoding.ASCII.GetBytes(string.Concat(_querySuffix, _core.EpochQuery, " HTTP/1.1\r\nHost: ", _host, "\r\n", _acceptEncoding, "\r\n"));

    /// <summary>The body of a 200 as the target wrote it before compressing; an empty span when it cannot be
    /// decoded (then it is no array, and the poll counts as a bad response).</summary>
    private ReadOnlySpan<byte> Decoded(in KeepAliveResponse response)
    {
        if (_decoder is null || response.Coding == Metrics.ContentCoding.None)
        {
            return response.Body.Span;
        }

        try
        {
            var decoded = _decoder.Decode(response.Coding, response.Body);
            _core.Meter.Decoded(decoded.Length);
            return decoded.Span;
        }
        catch (InvalidDataException)
        {
            return default;
        }
    }

    /// <summary>Delivers every event of a JSON array; returns how many, or -1 when the body is not an array of
    /// events. Each element's payload is its own bytes from <c>{</c> to <c>}</c>; brackets and commas are
    /// left to framing.</summary>
    private int DeliverArray(ReadOnlySpan<byte> body, long receivedMicros)
    {
        if (body.SequenceEqual("[]"u8))
        {
            // Nearly every answer of a busy poller: nothing new, no reader to set up.
            return 0;
        }

        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return -1;
            }

            var count = 0;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    return reader.Read() ? -1 : count;
                }

                var start = reader.TokenStartIndex;
                if (!FeedEventReader.TryReadObject(ref reader, out var seq, out var ts))
                {
                    return -1;
                }

                _core.Deliver(seq, ts, (int)(reader.BytesConsumed - start), receivedMicros);
                count++;
            }

            return -1;
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _loopConnection?.Dispose();
        _handlerConnection?.Dispose();
        _core.Closed();
        _gate.Dispose();
    }
}
