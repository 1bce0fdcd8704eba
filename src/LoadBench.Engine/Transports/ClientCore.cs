using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports;

/// <summary>
/// What every transport client does with a received event, in one place so the four agree: check its seq,
/// count it and its payload bytes, and record publish → receive latency. Also holds the client's byte meter,
/// back-off and failure bookkeeping. One per client; single-threaded like the client.
/// </summary>
internal sealed class ClientCore
{
    private readonly TimeProvider _timeProvider;
    private readonly HdrHistogram.Recorder _eventLatency;
    private bool _failed;

    public ClientCore(FeedClientOptions options)
    {
        Options = options;
        _timeProvider = options.TimeProvider;
        _eventLatency = options.Recorders.Event;
        Meter = new WireMeter(Counters);
        Checker = new SequenceChecker(options.StartAfter, Counters);
        Backoff = new Backoff(options.TimeProvider, options.Randomizer, options.Reconnect);
    }

    public FeedClientOptions Options { get; }

    public ClientCounters Counters { get; } = new();

    public WireMeter Meter { get; }

    public SequenceChecker Checker { get; }

    public Backoff Backoff { get; }

    /// <summary>Set by a gone signal: the next connection asks from the oldest retained event (<c>after=0</c>).</summary>
    public bool ResumeFromOldest { get; set; }

    /// <summary>The <c>after</c> to ask for now.</summary>
    public long After => ResumeFromOldest ? 0 : Checker.Cursor;

    /// <summary>Now on the injected clock, in Unix microseconds (the unit of the event's <c>ts</c>).</summary>
    public long NowMicros() => (_timeProvider.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>Takes one received event. Returns false for a duplicate (counted, not delivered again).</summary>
    public bool Deliver(long seq, long ts, int payloadBytes, long receivedMicros)
    {
        Meter.Payload(payloadBytes);
        if (!Checker.Accept(seq))
        {
            Counters.DuplicatePayload(payloadBytes);
            return false;
        }

        ResumeFromOldest = false;
        Counters.EventDelivered(payloadBytes);
        LatencyRecorders.RecordMicros(_eventLatency, receivedMicros - ts);
        return true;
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
                finally
                {
                    Meter.Settle();
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
