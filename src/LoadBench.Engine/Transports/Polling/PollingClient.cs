using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using LoadBench.Contracts;

namespace LoadBench.Engine.Transports.Polling;

/// <summary>
/// Short polling: <c>GET /feed/poll?after={cursor}&amp;max={max}</c> over one keep-alive connection, then a pause
/// of <see cref="FeedClientOptions.PollInterval"/> (zero: back to back) — the <c>setTimeout</c> loop a browser
/// would run, so an event waits on average half an interval plus a round trip. Records each request's latency
/// and counts responses that came back empty.
/// </summary>
public sealed class PollingClient : IRequestDrivenClient
{
    private readonly ClientCore _core;
    private readonly PollExchange _exchange;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public PollingClient(FeedClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _core = new ClientCore(options);
        var suffix = "&max=" + options.PollMax.ToString(CultureInfo.InvariantCulture);
        _exchange = new PollExchange(_core, FeedRoutes.Poll, suffix, TimeSpan.FromSeconds(30));
    }

    public ClientCounters Counters => _core.Counters;

    public long Cursor => _core.Checker.Cursor;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = _core.Options.PollInterval;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!await PollGatedAsync(Stopwatch.GetTimestamp(), cancellationToken))
                {
                    await _core.Backoff.DelayAsync(cancellationToken);
                    continue;
                }

                _core.Backoff.Reset();
                if (interval > TimeSpan.Zero)
                {
                    await Task.Delay(interval, _core.Options.TimeProvider, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The phase ended: a clean stop.
        }
    }

    /// <summary>Overlapping calls queue on this client's one connection; their latency, timed from the intended
    /// start, includes the wait — as it should under an open model.</summary>
    public Task SendOneAsync(long intendedStartTimestamp, CancellationToken cancellationToken) =>
        PollGatedAsync(intendedStartTimestamp, cancellationToken).AsTask();

    // Pooled builder: a closed-model poller calls this back to back, tens of thousands of times a second.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> PollGatedAsync(long intendedStartTimestamp, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await _exchange.PollAsync(intendedStartTimestamp, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _exchange.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
