using System.Collections.Concurrent;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Running;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Running;

/// <summary>A target the runner can talk to without a network: fixed feed info, stats computed from what the
/// test set up (CPU grows at half a core of <paramref name="time"/>; working set grows 1 MiB per live fake client).</summary>
internal sealed class FakeTarget(FakeClients clients, TimeProvider time) : ITargetApi
{
    public const long BaseWorkingSet = 100L << 20;
    private readonly long _started = time.GetTimestamp();
    private long _latestSeq = 1000;

    public ConcurrentQueue<FeedSettings> Settings { get; } = new();

    private int _statsReadings;
    private int _openStreamReadings;

    public int StatsReadings => Volatile.Read(ref _statsReadings);

    /// <summary>How many stats readings had been made when each <see cref="Settings"/> entry came.</summary>
    public ConcurrentQueue<int> StatsReadingsAtSettings { get; } = new();

    /// <summary>The next <paramref name="readings"/> stats readings report one SSE stream open on the target (another
    /// run's, or one of ours not yet torn down), beside the fake clients, which the fake's stats do not list.</summary>
    public void ReportOpenStreams(int readings) => Volatile.Write(ref _openStreamReadings, readings);

    public Uri BaseUri { get; } = new("http://127.0.0.1:9/");

    /// <summary>"Publishes" events: the latest seq moves on whether or not any client receives them.</summary>
    public void Publish(long count) => Interlocked.Add(ref _latestSeq, count);

    public Task<FeedInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new FeedInfo(1, Interlocked.Read(ref _latestSeq), 0, 0));

    public Task<FeedInfo> PutSettingsAsync(FeedSettings settings, CancellationToken cancellationToken)
    {
        StatsReadingsAtSettings.Enqueue(Volatile.Read(ref _statsReadings));
        Settings.Enqueue(settings);
        return GetInfoAsync(cancellationToken);
    }

    /// <summary>Faults posted, with the fake clock's time they arrived.</summary>
    public ConcurrentQueue<(FaultRequest Fault, DateTimeOffset At)> Faults { get; } = new();

    public Task<FaultRecord> PostFaultAsync(FaultRequest fault, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        Faults.Enqueue((fault, at));
        return Task.FromResult(Record(Faults.Count, fault, at));
    }

    /// <summary>Every posted fault as the target would list it: stamped with the clock's time it arrived.</summary>
    public Task<IReadOnlyList<FaultRecord>> GetFaultsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<FaultRecord>>([.. Faults.Select((f, i) => Record(i + 1, f.Fault, f.At))]);

    private static FaultRecord Record(int id, FaultRequest fault, DateTimeOffset at)
    {
        var start = (at - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
        return new FaultRecord(id, fault.Kind, fault.Fraction, start, start + ((fault.DurationMs ?? 0) * 1000L));
    }

    /// <summary>The fake's heap, like its working set, holds exactly 1 MiB per live client.</summary>
    public Task<StatsSnapshot> GetStatsAfterFullCollectionAsync(CancellationToken cancellationToken) => GetStatsAsync(cancellationToken);

    public Task<StatsSnapshot> GetStatsAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _statsReadings);
        var open = Interlocked.Decrement(ref _openStreamReadings) >= 0 ? 1 : 0;
        return Task.FromResult(new StatsSnapshot(
            new Dictionary<string, TransportStats> { [TransportIds.Sse] = new(open, 0, 0, 0, 0, 0, 0) },
            new ProcessStats(time.GetElapsedTime(_started).TotalMilliseconds * 0.5, BaseWorkingSet + (clients.Live << 20), BaseWorkingSet + (clients.Live << 20), 2)));
    }
}

/// <summary>Every fake client a test's factory made, so the test can drive them and count the live ones.</summary>
internal sealed class FakeClients
{
    private int _live;

    public ConcurrentQueue<FakeFeedClient> All { get; } = new();

    /// <summary>Awaited by <see cref="FakeRequestClient.SendOneAsync"/> before it answers: a stall of the target.</summary>
    public Func<CancellationToken, Task> Gate { get; set; } = _ => Task.CompletedTask;

    public long Live => Volatile.Read(ref _live);

    public IFeedClient Create(FeedClientOptions options, bool requestDriven)
    {
        FakeFeedClient client = requestDriven ? new FakeRequestClient(options, this) : new FakeFeedClient(options, this);
        All.Enqueue(client);
        return client;
    }

    public void Started() => Interlocked.Increment(ref _live);

    public void Stopped() => Interlocked.Decrement(ref _live);

    /// <summary>Delivers <paramref name="count"/> events with a known latency to every running client.</summary>
    public void DeliverToRunning(int count, long latencyMicros)
    {
        foreach (var client in All.Where(c => c.Running))
        {
            for (var i = 0; i < count; i++)
            {
                client.Deliver(latencyMicros);
            }
        }
    }
}

/// <summary>A subscriber that receives only what the test hands it.</summary>
internal class FakeFeedClient(FeedClientOptions options, FakeClients registry) : IFeedClient
{
    public const int PayloadBytes = 100;
    private long _cursor = options.StartAfter;

    public FeedClientOptions Options { get; } = options;

    public ClientCounters Counters { get; } = new();

    public long Cursor => Interlocked.Read(ref _cursor);

    public bool Running { get; private set; }

    public bool Disposed { get; private set; }

    public void Deliver(long latencyMicros)
    {
        Counters.EventDelivered(PayloadBytes);
        LatencyRecorders.RecordMicros(Options.Recorders.Event, latencyMicros);
        Interlocked.Increment(ref _cursor);
    }

    /// <summary>Lets the drain finish: the fake "received" everything up to <paramref name="seq"/>.</summary>
    public void CatchUp(long seq) => Interlocked.Exchange(ref _cursor, Math.Max(Cursor, seq));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Running = true;
        registry.Started();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Running = false;
            registry.Stopped();
        }
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>A poller the open model drives: waits at the registry's gate (the target's stall), then records
/// request latency from the INTENDED start on the client's clock, as the real clients do.</summary>
internal sealed class FakeRequestClient(FeedClientOptions options, FakeClients registry) : FakeFeedClient(options, registry), IRequestDrivenClient
{
    private readonly FakeClients _registry = registry;

    public async Task SendOneAsync(long intendedStartTimestamp, CancellationToken cancellationToken)
    {
        await _registry.Gate(cancellationToken);
        Counters.Request(empty: true);
        LatencyRecorders.RecordMicros(Options.Recorders.Request, (long)Options.TimeProvider.GetElapsedTime(intendedStartTimestamp).TotalMicroseconds);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that runs its handler inline, so a test acts at an exact point of a phase.</summary>
internal sealed class InlineProgress(Action<RunProgress> handler) : IProgress<RunProgress>
{
    public List<RunProgress> Reports { get; } = [];

    public void Report(RunProgress value)
    {
        lock (Reports)
        {
            Reports.Add(value);
        }

        handler(value);
    }
}
