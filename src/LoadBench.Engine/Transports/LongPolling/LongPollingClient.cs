using System.Globalization;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.LongPolling;

/// <summary>
/// Long polling: <c>GET /feed/long-poll?after={cursor}&amp;timeout={ms}</c>; the target holds the request until an
/// event newer than the cursor exists (200 with the array) or the timeout passes (204, counted as empty), and the
/// client asks again at once. Records each request's latency.
/// </summary>
public sealed class LongPollingClient : IRequestDrivenClient
{
    // The target answers 204 at the timeout; this much more before the client gives up on a silent target.
    private static readonly TimeSpan ResponseGrace = TimeSpan.FromSeconds(15);

    private readonly ClientCore _core;
    private readonly PollExchange _exchange;

    public LongPollingClient(FeedClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _core = new ClientCore(options);
        var timeoutMs = (long)options.LongPollTimeout.TotalMilliseconds;
        var suffix = "&timeout=" + timeoutMs.ToString(CultureInfo.InvariantCulture);
        _exchange = new PollExchange(_core, FeedRoutes.LongPoll, suffix, options.LongPollTimeout + ResponseGrace);
    }

    public ClientCounters Counters => _core.Counters;

    public long Cursor => _core.Checker.Cursor;

    /// <summary>Polls back to back: the target holds each request until there is news or its timeout.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        _exchange.PollUntilCancelledAsync(TimeSpan.Zero, cancellationToken);

    /// <summary>One poll in turn on this client's connection (<see cref="PollExchange.PollInTurnAsync"/>).</summary>
    public Task SendOneAsync(long intendedStartTimestamp, CancellationToken cancellationToken) =>
        _exchange.PollInTurnAsync(intendedStartTimestamp, cancellationToken).AsTask();

    public ValueTask DisposeAsync()
    {
        _exchange.Dispose();
        return ValueTask.CompletedTask;
    }
}
