using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Transports;

/// <summary>
/// What every transport client does with a received event, in one place so the four agree: check its seq,
/// count it and its payload bytes, and record publish → receive latency. Also holds the client's byte meter,
/// back-off, failure bookkeeping, the feed epoch it follows and the time to recover from a cut connection.
/// One per client; single-threaded like the client.
/// </summary>
internal sealed class ClientCore
{
    private readonly TimeProvider _timeProvider;
    private readonly HdrHistogram.Recorder _eventLatency;
    private readonly HdrHistogram.Recorder _recovery;
    private bool _failed;
    private bool _closed;

    // When the current connection was found cut (or the feed reset under it): the time to recover runs from here
    // to the next delivered event. Only the first cut of an outage counts; failed reconnects extend it.
    private bool _cut;
    private long _cutAt;

    public ClientCore(FeedClientOptions options)
    {
        Options = options;
        _timeProvider = options.TimeProvider;
        _eventLatency = options.Recorders.Event;
        _recovery = options.Recorders.Recovery;
        Epoch = options.Epoch;
        Protocol = ClientProtocol.From(options.Setup, options.TlsFingerprint);
        var compressed = options.Setup.Compression != CompressionKinds.None;
        var deflatedFrames = options.Setup.Compression is CompressionKinds.PerMessageDeflate or CompressionKinds.PerMessageDeflateNoContextTakeover;
        Meter = options.SharedConnection?.Join(Counters, compressed, deflatedFrames) ?? new WireMeter(Counters, compressed, deflatedFrames);
        Checker = new SequenceChecker(options.StartAfter, Counters);
        Backoff = new Backoff(options.TimeProvider, options.Randomizer, options.Reconnect);
    }

    public FeedClientOptions Options { get; }

    public ClientCounters Counters { get; } = new();

    public WireMeter Meter { get; }

    /// <summary>HTTP version and TLS, from the scenario's setup.</summary>
    public ClientProtocol Protocol { get; }

    /// <summary>The handler for this client's requests: its own, or the one of the HTTP/2 connection it shares.
    /// The caller disposes it only when <paramref name="owned"/>; a shared one is left with <see cref="LeaveShared"/>.</summary>
    public SocketsHttpHandler CreateHandler(out bool owned)
    {
        owned = Options.SharedConnection is null;
        return Options.SharedConnection is { } shared
            ? shared.Handler(meter => LoopbackConnector.CreateHandler(meter, Options.Connections, Protocol))
            : LoopbackConnector.CreateHandler(Meter, Options.Connections, Protocol);
    }

    /// <summary>Called when the client is disposed, after its connection closed: the last member of a shared
    /// connection closes it; then the bytes of the close (an HTTP/2 GOAWAY, a TLS close_notify) are settled, so the
    /// counters add up to every socket byte once the client is gone. Once only.</summary>
    public void Closed()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        Options.SharedConnection?.Leave();
        Meter.Settle();
    }

    public SequenceChecker Checker { get; }

    public Backoff Backoff { get; }

    /// <summary>Set by a gone signal: the next connection asks from the oldest retained event (<c>after=0</c>).</summary>
    public bool ResumeFromOldest { get; set; }

    /// <summary>The <c>after</c> to ask for now.</summary>
    public long After => ResumeFromOldest ? 0 : Checker.Cursor;

    /// <summary>The feed epoch the client follows (sent beside its cursor); null: unknown, no check asked for.</summary>
    public string? Epoch { get; private set; }

    /// <summary><c>&amp;epoch=…</c> to append to a feed request's query, or empty when the epoch is unknown.</summary>
    public string EpochQuery => Epoch is null ? "" : string.Concat("&", FeedReset.QueryParameter, "=", Uri.EscapeDataString(Epoch));

    /// <summary>Now on the injected clock, in Unix microseconds (the unit of the event's <c>ts</c>).</summary>
    public long NowMicros() => (_timeProvider.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>Takes one received event. Returns false for a duplicate (counted, not delivered again).</summary>
    /// <remarks>With compression the event's bytes are not what crossed the wire: they count as uncompressed
    /// payload, and the wire's payload is the compressed body the meter found on the socket.</remarks>
    public bool Deliver(long seq, long ts, int payloadBytes, long receivedMicros)
    {
        var wirePayload = payloadBytes;
        if (Meter.Compressed)
        {
            Counters.UncompressedPayload(payloadBytes);
            wirePayload = 0;
        }

        Meter.Payload(wirePayload);
        if (!Checker.Accept(seq))
        {
            Counters.DuplicatePayload(wirePayload);
            return false;
        }

        ResumeFromOldest = false;
        Counters.EventDelivered(wirePayload);
        LatencyRecorders.RecordMicros(_eventLatency, receivedMicros - ts);
        if (_cut)
        {
            _cut = false;
            LatencyRecorders.RecordMicros(_recovery, _timeProvider.GetElapsedTime(_cutAt).Ticks / TimeSpan.TicksPerMicrosecond);
        }

        return true;
    }

    /// <summary>The client found its connection cut now (or its request failed): the time to recover starts,
    /// unless an earlier cut of the same outage already started it.</summary>
    public void Cut() => CutAt(_timeProvider.GetTimestamp());

    /// <summary><see cref="Cut"/> at an earlier timestamp of the client's clock (when the client can only tell
    /// afterwards that its connection had been cut before a request).</summary>
    public void CutAt(long timestamp)
    {
        if (!_cut)
        {
            _cut = true;
            _cutAt = timestamp;
        }
    }

    /// <summary>
    /// Counts a reset: the feed restarted under the client (<see cref="FeedReset"/>). The client follows
    /// <paramref name="epoch"/> from now on and starts again from its first event (<c>after=0</c>); what it missed of
    /// the old epoch is the reset's, not loss, and the new epoch's seq 1 is not a duplicate.
    /// </summary>
    /// <param name="epoch">The new epoch the target named; null when it named none (the client then stops asking
    /// for a check rather than being reset on every request).</param>
    public void Reset(string? epoch)
    {
        Counters.Reset();
        Epoch = epoch;
        Checker.Restart();
        ResumeFromOldest = true;
        Cut();
    }

    /// <summary>Counts a too-slow disconnect (<see cref="FeedTooSlow"/>): the stream ended, the next connection
    /// resumes from the cursor.</summary>
    public void TooSlow()
    {
        Counters.TooSlow();
        StreamClosed();
    }

    /// <summary>Counts a gone signal; the client resumes from the oldest retained event, and the checker then
    /// counts the events it can never get as lost.</summary>
    public void Gone()
    {
        Counters.Gone();
        ResumeFromOldest = true;
    }

    /// <summary>Counts a failure by kind; the next attempt counts as a reconnect.</summary>
    public void Fail(string kind)
    {
        Counters.Error(kind);
        _failed = true;
    }

    /// <summary>Call before each connection or request: counts a reconnect when the previous attempt failed.</summary>
    public void BeginAttempt()
    {
        if (_failed)
        {
            Counters.Reconnect();
            _failed = false;
        }
    }

    /// <summary>After a stream closed normally (not a failure) the client still has to connect again.</summary>
    public void StreamClosed() => _failed = true;

    /// <summary>
    /// The streaming clients' life: one connection after another until <paramref name="cancellationToken"/> fires.
    /// A connection failure is counted by kind and backed off; each next connection resumes from the cursor
    /// (the caller's <paramref name="connectOnce"/> reads it). Bytes are settled after every connection.
    /// </summary>
    /// <param name="connectOnce">Runs one connection to its end; false when it ended in a failure it counted itself.</param>
    /// <param name="isConnectionFailure">Which exceptions are the network's doing (counted) rather than bugs (thrown).</param>
    public async Task ReconnectUntilCancelledAsync(
        Func<CancellationToken, Task<bool>> connectOnce, Func<Exception, bool> isConnectionFailure, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                BeginAttempt();
                var failed = false;
                try
                {
                    failed = !await connectOnce(cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && isConnectionFailure(e))
                {
                    Fail(ErrorKinds.Classify(e));
                    failed = true;
                }
                catch (Exception e) when (cancellationToken.IsCancellationRequested && isConnectionFailure(e))
                {
                    // The phase ended while the connection failed (a refused connect can lose the race with the
                    // cancellation): a clean stop, like the OperationCanceledException below, not an error.
                    return;
                }
                finally
                {
                    Meter.Settle();
                }

                // A connection ends when the target ends it or it breaks (not the phase's end, which throws above).
                if (!cancellationToken.IsCancellationRequested)
                {
                    Cut();
                }

                if (failed)
                {
                    await Backoff.DelayAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The phase ended: a clean stop.
        }
    }
}
