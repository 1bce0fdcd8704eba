using System.Collections.Concurrent;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;

namespace LoadBench.Target.SlowConsumers;

/// <summary>
/// Finds the SSE and WebSocket subscribers that are too slow and cannot even be told so. A follow loop
/// judges its own lag before each event and says "too slow" in-band (<see cref="FeedItemKind.TooSlow"/>); but a
/// subscriber that stopped reading leaves its loop stuck in a write once the kernel's socket buffers and
/// Kestrel's response buffer are full, and a stuck loop judges nothing. This sweep — one timer for the whole
/// target, never one per connection — looks at every follower's cursor: a follower found past the bound at two
/// sweeps in a row without its cursor moving between them has nothing more it can write, and its connection is
/// aborted (TCP reset), which frees what the target held for it.
/// </summary>
public sealed class SlowConsumerSweep : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<FeedFollower, byte> _followers = new();
    private readonly FeedLog _log;
    private readonly FeedConnections _connections;
    private readonly TimeProvider _time;
    private readonly ILogger<SlowConsumerSweep> _logger;
    private ITimer? _timer;
    private int _sweeping;
    private long _aborted;

    public SlowConsumerSweep(FeedLog log, FeedConnections connections, TargetOptions options, TimeProvider time, ILogger<SlowConsumerSweep> logger)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(options);
        _log = log;
        _connections = connections;
        _time = time;
        _logger = logger;
        Interval = IntervalFor(options.SlowConsumerMaxLagSeconds);
    }

    /// <summary>A quarter of the time bound, between 50 ms and 1 s: a stuck follower is aborted at most about
    /// two intervals after it passed the bound, for one pass over the followers per interval.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Connections aborted because they were too slow and stuck (since start).</summary>
    public long Aborted => Interlocked.Read(ref _aborted);

    /// <summary>Registers a subscriber for the life of its request; dispose the result when the request ends. A request
    /// tracked by <see cref="FeedConnections"/> (every feed request in the app) keeps its follower there, so the sweep finds
    /// it in that one registry (README "Tuning"); any other is kept here.</summary>
    public FeedFollower Track(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<FeedConnection>() is { } connection)
        {
            var tracked = new FeedFollower(context, owner: null);
            connection.Follower = tracked;
            return tracked;
        }

        var follower = new FeedFollower(context, this);
        _followers.TryAdd(follower, 0);
        return follower;
    }

    internal void Remove(FeedFollower follower) => _followers.TryRemove(follower, out _);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_log.HasSlowConsumerBound)
        {
            _timer = _time.CreateTimer(_ => Sweep(), null, Interval, Interval);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return Task.CompletedTask;
    }

    /// <summary>One pass over every follower (public for tests on a fake clock).</summary>
    public void Sweep()
    {
        // Timer callbacks may overlap when a pass is slow; one pass at a time keeps each follower's memory simple.
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            var aborted = 0;
            foreach (var connection in _connections.Open)
            {
                if (connection.Follower is { } follower && Look(follower))
                {
                    aborted++;
                }
            }

            foreach (var follower in _followers.Keys)
            {
                if (Look(follower))
                {
                    aborted++;
                }
            }

            if (aborted > 0)
            {
                Interlocked.Add(ref _aborted, aborted);
                _logger.LogInformation("Aborted {Count} subscriber connection(s) too far behind the feed that could not be written to", aborted);
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    /// <summary>One follower: aborted when found past the bound at two sweeps in a row without moving.</summary>
    private bool Look(FeedFollower follower)
    {
        if (follower.StartTimestamp == 0)
        {
            return false;
        }

        var cursor = follower.Cursor;
        var behind = _log.IsTooSlow(cursor, follower.StartLatest, follower.StartTimestamp);
        var abort = behind && follower.BehindAtLastSweep && cursor == follower.CursorAtLastSweep && follower.TryAbort();
        follower.BehindAtLastSweep = behind;
        follower.CursorAtLastSweep = cursor;
        return abort;
    }

    private static TimeSpan IntervalFor(double maxLagSeconds) =>
        maxLagSeconds <= 0
            ? TimeSpan.FromSeconds(1)
            : TimeSpan.FromSeconds(Math.Clamp(maxLagSeconds / 4, 0.05, 1));

    public void Dispose() => _timer?.Dispose();
}
