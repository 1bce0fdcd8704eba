using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using LoadBench.Contracts;

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
    private readonly SemaphoreSlim _gate = new(1, 1);

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

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await PollGatedAsync(Stopwatch.GetTimestamp(), cancellationToken))
                {
                    _core.Backoff.Reset();
                }
                else
                {
                    await _core.Backoff.DelayAsync(cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The phase ended: a clean stop.
        }
    }

    /// <summary>Overlapping calls queue on this client's one connection; their latency, timed from the intended
    /// start, includes the wait.</summary>
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
