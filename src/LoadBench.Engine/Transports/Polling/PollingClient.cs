using System.Globalization;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports.Polling;

/// <summary>
/// Short polling: <c>GET /feed/poll?after={cursor}&amp;max={max}</c> over one keep-alive connection, then a pause
/// of <see cref="FeedClientOptions.PollInterval"/> (zero: back to back) — the <c>setTimeout</c> loop a browser
/// would run, so an event waits on average half an interval plus a round trip. Records each request's latency
/// and counts responses that came back empty.
/// </summary>
internal sealed class PollingClient : IRequestDrivenClient
{
    private readonly ClientCore _core;
    private readonly PollExchange _exchange;

    public PollingClient(FeedClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _core = new ClientCore(options);
        var suffix = "&max=" + options.PollMax.ToString(CultureInfo.InvariantCulture);
        _exchange = new PollExchange(_core, FeedRoutes.Poll, suffix, TimeSpan.FromSeconds(30));
    }

    public ClientCounters Counters => _core.Counters;

    public long Cursor => _core.Checker.Cursor;

    /// <summary>Whether <see cref="RunAsync"/> polls on the engine's event loop (back to back, plain HTTP/1.1, Linux x86-64).</summary>
    internal bool PollsOnLoop => _core.Options.PollInterval <= TimeSpan.Zero && _exchange.CanPollOnLoop;

    /// <summary>Polls, pausing <see cref="FeedClientOptions.PollInterval"/> after each answer. Back to back (no pause)
    /// on the engine's event loop where it can (<see cref="PollExchange.PollOnLoopAsync"/>): there the client's own
    /// cost per request is what a benchmark of the target measures against.</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        PollsOnLoop
            ? _exchange.PollOnLoopAsync(cancellationToken)
            : _exchange.PollUntilCancelledAsync(_core.Options.PollInterval, cancellationToken);

    /// <summary>One poll in turn on this client's connection (<see cref="PollExchange.PollInTurnAsync"/>).</summary>
    public Task SendOneAsync(long intendedStartTimestamp, CancellationToken cancellationToken) =>
        _exchange.PollInTurnAsync(intendedStartTimestamp, cancellationToken).AsTask();

    public ValueTask DisposeAsync()
    {
        _exchange.Dispose();
        return ValueTask.CompletedTask;
    }
}
