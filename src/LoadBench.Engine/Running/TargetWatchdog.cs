using System.Globalization;
using LoadBench.Contracts;

namespace LoadBench.Engine.Running;

/// <summary>
/// Notices, within a bounded time, that the target died or stopped answering, and stops the run
/// (<see cref="RunStop.TargetFailed"/>). Without it the clients of a dead target keep retrying until the scenario's
/// planned end and the run then fails with nothing written. It asks <c>GET /feed/info</c> (one request at a time)
/// every <see cref="RunOptions.TargetCheckInterval"/>; the target has failed when no answer came for
/// <see cref="RunOptions.TargetSilenceLimit"/> and a check since then failed (each times out after that limit) or
/// has hung that long — so a target that answers slowly under load is not taken for a dead one, and a fake clock's
/// jump alone trips nothing. A refused connection is final (nothing listens any more): three refusals in a row trip it after half
/// that silence. A process the engine started that exits is noticed at the next check.
/// </summary>
internal sealed class TargetWatchdog : IAsyncDisposable
{
    private const int FailuresInARow = 3;

    private readonly ITargetApi _target;
    private readonly RunStop _stop;
    private readonly Func<string?>? _processExit;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _silenceLimit;
    private readonly CancellationTokenSource _end = new();
    private readonly Task _loop;
    private long _lastAnswer;
    private long _checkStarted;
    private int _failures;
    private int _refusals;
    private string? _lastError;

    private TargetWatchdog(ITargetApi target, RunStop stop, Func<string?>? processExit, RunOptions options)
    {
        _target = target;
        _stop = stop;
        _processExit = processExit;
        _time = options.TimeProvider;
        _interval = options.TargetCheckInterval;
        _silenceLimit = options.TargetSilenceLimit;
        _lastAnswer = _time.GetTimestamp();
        _loop = _interval > TimeSpan.Zero ? LoopAsync(_end.Token) : Task.CompletedTask;
    }

    /// <param name="processExit">For a target the engine started: says how it exited, or null while it runs.</param>
    public static TargetWatchdog Start(ITargetApi target, RunStop stop, Func<string?>? processExit, RunOptions options) =>
        new(target ?? throw new ArgumentNullException(nameof(target)), stop ?? throw new ArgumentNullException(nameof(stop)),
            processExit, options ?? throw new ArgumentNullException(nameof(options)));

    public async ValueTask DisposeAsync()
    {
        await _end.CancelAsync();
        await _loop;
        _end.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        Task? check = null;
        try
        {
            while (!_stop.Stopping)
            {
                await Task.Delay(_interval, _time, cancellationToken);
                if (_processExit?.Invoke() is { } exit)
                {
                    _stop.TargetFailed(exit);
                    return;
                }

                if (check is null || check.IsCompleted)
                {
                    Interlocked.Exchange(ref _checkStarted, _time.GetTimestamp());
                    check = CheckAsync(cancellationToken);
                }

                if (Verdict() is { } failure)
                {
                    _stop.TargetFailed(failure);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        if (check is not null)
        {
            await check;
        }
    }

    private string? Verdict()
    {
        var silence = _time.GetElapsedTime(Interlocked.Read(ref _lastAnswer));
        var hung = _time.GetElapsedTime(Interlocked.Read(ref _checkStarted));
        var limit = Volatile.Read(ref _refusals) >= FailuresInARow ? _silenceLimit / 2 : _silenceLimit;
        if (silence < limit || (Volatile.Read(ref _failures) == 0 && hung < _silenceLimit))
        {
            return null;
        }

        var why = Volatile.Read(ref _lastError) ?? "no answer";
        return string.Create(CultureInfo.InvariantCulture,
            $"the target at {_target.BaseUri} stopped answering: no answer to GET {FeedRoutes.Info} for {silence.TotalSeconds:0.#} s ({why})");
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(_silenceLimit, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            await _target.GetInfoAsync(timeout.Token);
            Interlocked.Exchange(ref _lastAnswer, _time.GetTimestamp());
            Volatile.Write(ref _failures, 0);
            Volatile.Write(ref _refusals, 0);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException or System.Text.Json.JsonException)
        {
            Volatile.Write(ref _lastError, ex is OperationCanceledException ? "a check timed out" : ex.Message);
            Interlocked.Increment(ref _failures);
            if (ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError })
            {
                Interlocked.Increment(ref _refusals);
            }
            else
            {
                Volatile.Write(ref _refusals, 0);
            }
        }
    }
}
