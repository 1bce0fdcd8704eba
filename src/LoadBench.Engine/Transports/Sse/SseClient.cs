using System.Globalization;
using System.Net.ServerSentEvents;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;
using LoadBench.Engine.Transports.Connections.EventLoop;

namespace LoadBench.Engine.Transports.Sse;

/// <summary>
/// Server-Sent Events: one long <c>GET /feed/sse?after={start}</c> whose body is parsed by
/// <see cref="SseParser"/>. Like a browser's EventSource it reconnects to the same address with
/// <c>Last-Event-ID: {cursor}</c> (which the target prefers over <c>after</c>). An <c>event: gone</c> says the
/// cursor fell out of retention: the client counts the signal and resumes from the oldest retained event. An
/// <c>event: reset</c> says the feed restarted (<see cref="FeedReset"/>): counted, and the client starts again from
/// the new epoch's first event; an <c>event: too-slow</c> (<see cref="FeedTooSlow"/>) is counted and resumed from the
/// cursor. Every connection carries the epoch the client follows (<c>&amp;epoch=</c>), and the scenario's heartbeat
/// (<c>&amp;heartbeatMs=</c>): the parser skips the comment lines, and their bytes stay framing on the meter.
/// In the default setup (plain HTTP/1.1, no compression) the stream is read straight from a socket
/// (<c>SseClient.Raw.cs</c>, <see cref="SseEventReader"/>); HTTP/2, TLS, gzip/br and shared connections go through
/// HttpClient and <see cref="SseParser"/>. Both paths hand every item to the same <see cref="OnItem"/>.
/// </summary>
internal sealed partial class SseClient : IFeedClient
{
    private enum Item { Event, Duplicate, Gone, Reset, TooSlow, Bad }

    private readonly ClientCore _core;
    private readonly HttpClient? _http; // null on the raw path
    private readonly bool _raw;
    private readonly bool _onLoop; // the raw path's reads on the event loop (SseClient.Loop.cs)
    private readonly SseItemParser<Item>? _itemParser; // the HttpClient path's
    private readonly string _heartbeatQuery;
    private readonly string? _ownCoding;
    private bool _attempted;

    // The address's after= (EventSource keeps its first address): the start cursor, then 0 after a reset.
    private long _firstAfter;
    private string? _resetEpoch;

    public SseClient(FeedClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _core = new ClientCore(options);
        _firstAfter = options.StartAfter;
        _heartbeatQuery = HeartbeatParameter.Query(options.Setup);
        // Plain HTTP/1.1 without compression, on a connection of its own (the default setup): straight on a socket
        // (SseClient.Raw.cs). HTTP/2, TLS, gzip/br and shared connections keep HttpClient, which speaks them.
        _raw = !_core.Protocol.NeedsHandler && options.SharedConnection is null && options.Setup.Compression == CompressionKinds.None;
        if (_raw)
        {
            _onLoop = LoopStream.IsEnabled(options.StreamLoop);
            return;
        }

        _itemParser = ParseItem; // one delegate for the client's lifetime, not one per connection

        // A stream lives as long as the phase: no overall timeout; the connect timeout still applies.
        var handler = _core.CreateHandler(out var owned);
        // gzip or br: HttpClient asks for exactly that coding (Accept-Encoding) and inflates the stream as it
        // arrives; the target flushes its compressor after every event, so nothing waits for the next one.
        // Over HTTP/2 the client asks and decodes itself, to count the compressed body as it reads it
        // (EncodedBody): the handler's decompression would hide it (and a shared connection's handler is not ours).
        _ownCoding = _core.Protocol.Http2 ? ContentCodings.Requested(options.Setup.Compression) : null;
        if (owned && _ownCoding is null)
        {
            handler.AutomaticDecompression = options.Setup.Compression switch
            {
                CompressionKinds.Gzip => System.Net.DecompressionMethods.GZip,
                CompressionKinds.Brotli => System.Net.DecompressionMethods.Brotli,
                _ => System.Net.DecompressionMethods.None,
            };
        }

        _http = new HttpClient(handler, disposeHandler: owned) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The stream's address, made per connection: an idle subscriber keeps no Uri (and its strings) of its
    /// own (issue 14, memory per subscriber).</summary>
    private Uri SseUri => new(_core.Options.BaseUri, FeedRoutes.Sse);

    public ClientCounters Counters => _core.Counters;

    public long Cursor => _core.Checker.Cursor;

    public Task RunAsync(CancellationToken cancellationToken) =>
        _core.ReconnectUntilCancelledAsync(
            async ct =>
            {
                await (!_raw ? ReceiveStreamAsync(ct)
                    : _onLoop && LoopbackConnector.EndPointWithoutDns(_core.Options.BaseUri, _core.Options.Connections) is { } endPoint ? ReceiveLoopStreamAsync(endPoint, ct)
                    : ReceiveRawStreamAsync(ct));
                return true;
            },
            IsConnectionFailure,
            cancellationToken);

    private async Task ReceiveStreamAsync(CancellationToken cancellationToken)
    {
        // Reconnects keep the first address, as EventSource does, and carry the cursor in Last-Event-ID. After a
        // gone signal there must be no Last-Event-ID (it would win over after=0): ask from the oldest instead.
        var after = _core.ResumeFromOldest ? 0 : _firstAfter;
        using var request = new HttpRequestMessage(
            HttpMethod.Get, string.Concat(SseUri.AbsoluteUri, "?after=", after.ToString(CultureInfo.InvariantCulture), _core.EpochQuery, _heartbeatQuery))
        {
            Version = _core.Protocol.Version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (_attempted && !_core.ResumeFromOldest)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", _core.Checker.Cursor.ToString(CultureInfo.InvariantCulture));
        }

        _attempted = true;
        if (_ownCoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", _ownCoding);
        }

        using var response = await _http!.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        _core.Counters.Request();
        if (!response.IsSuccessStatusCode)
        {
            // Read the (small) error body so its bytes are on the meter before the connection is reused.
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            _core.Fail(ErrorKinds.Http(response.StatusCode));
            _core.Cut();
            await _core.Backoff.DelayAsync(cancellationToken);
            return;
        }

        var content = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (_ownCoding is not null)
        {
            content = EncodedBody.Decoding(content, response.Content.Headers.ContentEncoding, _core.Meter);
        }

        await using var stream = _core.Meter.Compressed ? new ReadCountingStream(content, _core.Meter.Decoded) : content;
        _core.Backoff.Reset();
        await foreach (var item in SseParser.Create(stream, _itemParser!).EnumerateAsync(cancellationToken))
        {
            if (!OnItem(item.Data))
            {
                return;
            }
        }

        // The target ended the stream (shutdown, or a proxy): not expected during a run, so say so.
        _core.Fail(ErrorKinds.StreamEnded);
    }

    /// <summary>What the client does with one parsed item, on either path; false when the item was a signal after
    /// which the target ends the stream (the client then connects again).</summary>
    private bool OnItem(Item item)
    {
        switch (item)
        {
            case Item.Gone:
                _core.Gone();
                _core.StreamClosed();
                return false; // reconnect from the oldest
            case Item.Reset:
                _core.Reset(_resetEpoch);
                _core.StreamClosed();
                _firstAfter = 0;
                return false; // reconnect to the new epoch from its start
            case Item.TooSlow:
                _core.TooSlow();
                return false; // reconnect from the cursor
            case Item.Bad:
                _core.Fail(ErrorKinds.BadEvent);
                break;
        }

        _core.Meter.Settle();
        return true;
    }

    // Called by SseParser for each event with its data bytes (no string made for the data).
    private Item ParseItem(string eventType, ReadOnlySpan<byte> data)
    {
        var receivedMicros = _core.NowMicros();
        switch (eventType)
        {
            case FeedGone.SseEventType:
                return Item.Gone;
            case FeedReset.SseEventType:
                _resetEpoch = FeedSignalReader.EpochFromJson(data);
                return Item.Reset;
            case FeedTooSlow.SseEventType:
                return Item.TooSlow;
        }

        if (!FeedEventReader.TryRead(data, out var seq, out var ts))
        {
            return Item.Bad;
        }

        return _core.Deliver(seq, ts, data.Length, receivedMicros) ? Item.Event : Item.Duplicate;
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is HttpRequestException or IOException or System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException;

    public ValueTask DisposeAsync()
    {
        _http?.Dispose();
        _events.Dispose();
        _core.Closed();
        return ValueTask.CompletedTask;
    }
}
