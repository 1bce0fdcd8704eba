using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Transports;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Results;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Running;

/// <summary>The executor with fake clients and a fake target, on a fake clock: every phase, tick, drain and
/// latency is measured on <see cref="FakeClock"/>'s time, which moves only when the engine waits for it.</summary>
[Collection(FakeClockGroup.Name)]
public sealed class ScenarioExecutorTests
{
    // Fake time a scenario may take before the test fails (the longest here plays 4 s, drains and stops).
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _time = new();

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>Runs one scenario with the executor on the fake clock.</summary>
    private Task<ScenarioResult> RunAsync(ITargetApi target, RunOptions options, Scenario scenario, IProgress<RunProgress>? progress = null) =>
        _time.RunAsync(() => new ScenarioExecutor(target, options).RunAsync(scenario, 0, 1, progress, CancellationToken.None), Limit);

    private static Scenario Closed(string transport, int copies, double seconds, double warmUp = 0) => new()
    {
        Name = "fake",
        Transport = transport,
        Load = [new KeepConstant(copies, S(seconds))],
        Feed = new FeedSpec(20, 64),
        WarmUp = S(warmUp),
    };

    /// <summary>Progress several times a phase, not once a second: a test that acts on the first report inside a
    /// phase must not miss it because a busy machine delayed a once-a-second tick past the phase's end.</summary>
    private RunOptions FrequentProgress(FakeClients fakes) => Options(fakes) with { SampleInterval = S(0.2) };

    private RunOptions Options(FakeClients fakes, bool requestDriven = false) => new()
    {
        ClientFactory = options => fakes.Create(options, requestDriven),
        DrainTimeout = S(0.3),
        TimeProvider = _time,
    };

    [Fact]
    public async Task RunAsync_WarmUpEvents_AreLeftOutOfTheResults()
    {
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        var (warmUpDelivered, measuredDelivered) = (false, false);
        var progress = new InlineProgress(p =>
        {
            // 7 slow events per client during the warm-up, 3 fast ones in the measured phase.
            if (p.Phase == RunPhase.WarmUp && p.Elapsed > TimeSpan.Zero && !warmUpDelivered)
            {
                fakes.DeliverToRunning(7, latencyMicros: 900_000);
                warmUpDelivered = true;
            }
            else if (p.Phase == RunPhase.Measured && p.Elapsed > TimeSpan.Zero && !measuredDelivered)
            {
                fakes.DeliverToRunning(3, latencyMicros: 2_000);
                measuredDelivered = true;
            }
        });

        var result = await RunAsync(target, FrequentProgress(fakes), Closed(TransportIds.Sse, copies: 2, seconds: 2.5, warmUp: 1.5), progress);

        Assert.True(warmUpDelivered && measuredDelivered);
        Assert.Equal(2 * 3, result.Throughput.EventsDelivered);
        Assert.Equal(6, result.Latency.Event.Count);
        Assert.Equal(2.0, result.Latency.Event.MaxMs, tolerance: 0.01); // no 900 ms warm-up sample
        // Bytes are counted over the connections' whole lives (warm-up included), so a streaming
        // connection's headers are shared over all its events: 2 clients × (7 + 3) events.
        Assert.Equal(20, result.Bytes.Events);
        Assert.Equal(20 * FakeFeedClient.PayloadBytes, result.Bytes.Payload);
        Assert.Equal(FakeFeedClient.PayloadBytes, result.Bytes.PerEvent.Payload);
        Assert.Equal(2, result.Clients);
        Assert.Null(result.Latency.Request); // SSE has no request latency
        Assert.InRange(result.DurationSeconds, 2.4, 10);
        Assert.Equal(1.5, result.WarmUpSeconds);
    }

    [Fact]
    public async Task RunAsync_TimeSeriesRates_AddUpToTheEventsDeliveredInTheWindow()
    {
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        var delivered = 0;
        var progress = new InlineProgress(p =>
        {
            // 5 events per client in each of the first two samples of the measured phase.
            if (p.Phase == RunPhase.Measured && p.Elapsed > TimeSpan.Zero && delivered < 2)
            {
                fakes.DeliverToRunning(5, latencyMicros: 1_000);
                delivered++;
            }
        });

        var result = await RunAsync(target, FrequentProgress(fakes), Closed(TransportIds.Sse, copies: 3, seconds: 2), progress);

        // The sampler's per-interval rate (summed from the clients' counters without snapshots) times each interval's
        // length gives back the events the window counted (its own snapshots): 3 clients × 2 × 5.
        Assert.Equal(2, delivered);
        Assert.Equal(3 * 2 * 5, result.Throughput.EventsDeliveredInWindow);
        var previous = 0.0;
        var sum = 0.0;
        foreach (var point in result.TimeSeries)
        {
            sum += point.EventsPerSecond * (point.T - previous);
            previous = point.T;
        }

        Assert.Equal(3 * 2 * 5, sum, tolerance: 0.01);
    }

    [Fact]
    public async Task RunAsync_EventsCaughtUpInTheDrain_CountForIntegrityButNotForEventsPerSecond()
    {
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        var (inWindow, inDrain) = (false, false);
        var progress = new InlineProgress(p =>
        {
            // 4 events per client inside the window, 6 more per client that only arrive during the drain.
            if (p.Phase == RunPhase.Measured && p.Elapsed > TimeSpan.Zero && !inWindow)
            {
                fakes.DeliverToRunning(4, latencyMicros: 1_000);
                inWindow = true;
            }
            else if (p.Phase == RunPhase.Draining && !inDrain)
            {
                fakes.DeliverToRunning(6, latencyMicros: 3_000_000);
                inDrain = true;
            }
        });

        var result = await RunAsync(target, FrequentProgress(fakes), Closed(TransportIds.WebSocket, copies: 2, seconds: 2), progress);

        Assert.True(inWindow && inDrain);
        Assert.Equal(2 * (4 + 6), result.Throughput.EventsDelivered);
        Assert.Equal(2 * 4, result.Throughput.EventsDeliveredInWindow);
        Assert.Equal(2 * 4 / result.DurationSeconds, result.Throughput.EventsPerSecond, tolerance: 1e-9);
        // The late events' latencies are kept: hiding them would hide the slow tail.
        Assert.Equal(3000, result.Latency.Event.MaxMs, tolerance: 5);
    }

    [Fact]
    public async Task RunAsync_SubscriberThatStopsReceiving_CountsTheEventsItNeverGotAsLost()
    {
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        var delivered = false;
        var progress = new InlineProgress(p =>
        {
            // The target publishes 5 events; every client receives only the first 3 and then goes silent.
            if (p.Phase == RunPhase.Measured && p.Elapsed > TimeSpan.Zero && !delivered)
            {
                target.Publish(5);
                fakes.DeliverToRunning(3, latencyMicros: 1_000);
                delivered = true;
            }
        });

        var result = await RunAsync(target, FrequentProgress(fakes), Closed(TransportIds.Sse, copies: 2, seconds: 2.5), progress);

        Assert.True(delivered);
        Assert.Equal(2 * 3, result.Throughput.EventsDelivered);
        Assert.Equal(2 * 2, result.Integrity.Lost);
    }

    [Fact]
    public async Task RunAsync_ClosedModel_AppliesSettingsPausesForTheDrainAndStopsEveryCopy()
    {
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);

        var result = await RunAsync(target, Options(fakes), Closed(TransportIds.WebSocket, copies: 3, seconds: 1.2));

        Assert.Equal([new FeedSettings(20, 64), new FeedSettings(RatePerSecond: 0)], target.Settings.ToArray());
        Assert.Equal(3, fakes.All.Count);
        Assert.All(fakes.All, c => Assert.True(c.Disposed && !c.Running));
        Assert.All(fakes.All, c => Assert.Equal(1000, c.Options.StartAfter)); // /feed/info's latestSeq
        Assert.Equal(0, fakes.Live);
        Assert.Equal("KeepConstant(copies: 3, during: 00:00:01.2000000)", result.LoadSimulation);
        Assert.NotEmpty(result.TimeSeries);
        Assert.All(result.TimeSeries, point => Assert.Equal(3, point.Clients));
    }

    [Fact]
    public async Task RunAsync_ARunsFirstScenario_DoesNotWaitForStreamsThatAreAnotherRuns()
    {
        // Two engines sharing one target (fanout-16k.sh): the other's streams are open when this run starts. Waiting for
        // them to end only held this run up by the wait's bound (5 s) and put the two runs out of step.
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        target.ReportOpenStreams(readings: int.MaxValue);

        await RunAsync(target, Options(fakes), Closed(TransportIds.Sse, copies: 1, seconds: 0.5));

        Assert.Equal(1, target.StatsReadingsAtSettings.First()); // the "before" reading only
    }

    [Fact]
    public async Task RunAsync_AScenarioAfterAnother_WaitsUntilTheTargetHasEndedTheStreamsBeforeItsBeforeReading()
    {
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        var executor = new ScenarioExecutor(target, Options(fakes));
        await _time.RunAsync(() => executor.RunAsync(Closed(TransportIds.Sse, copies: 1, seconds: 0.5), 0, 2, null, CancellationToken.None), Limit);
        var readingsAfterFirst = target.StatsReadings;
        target.ReportOpenStreams(readings: 2); // the first scenario's stream, not yet torn down by the target

        await _time.RunAsync(() => executor.RunAsync(Closed(TransportIds.Sse, copies: 1, seconds: 0.5), 1, 2, null, CancellationToken.None), Limit);

        // Of the readings before the second scenario's settings: two with the stream open, one without, the "before".
        var readingsBeforeSecond = target.StatsReadingsAtSettings.ElementAt(2) - readingsAfterFirst;
        Assert.Equal(4, readingsBeforeSecond);
    }

    [Fact]
    public async Task RunAsync_AScenarioAfterOneOfAnotherTransport_DoesNotWaitForStreamsOfTheOthersTransport()
    {
        // The SSE streams the target reports open are not this run's: its previous scenario was a WebSocket one.
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        var executor = new ScenarioExecutor(target, Options(fakes));
        await _time.RunAsync(() => executor.RunAsync(Closed(TransportIds.WebSocket, copies: 1, seconds: 0.5), 0, 2, null, CancellationToken.None), Limit);
        var readingsAfterFirst = target.StatsReadings;
        target.ReportOpenStreams(readings: int.MaxValue);

        await _time.RunAsync(() => executor.RunAsync(Closed(TransportIds.Sse, copies: 1, seconds: 0.5), 1, 2, null, CancellationToken.None), Limit);

        // One reading of the wait (no WebSocket stream open), then the "before" reading; waiting on the SSE streams too
        // would have read until the wait's bound.
        Assert.Equal(2, target.StatsReadingsAtSettings.ElementAt(2) - readingsAfterFirst);
    }

    [Fact]
    public async Task RunAsync_ServerCost_ComesFromTheTargetsStats()
    {
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        var progress = new InlineProgress(p =>
        {
            if (p.Phase == RunPhase.Measured && p.Elapsed > TimeSpan.Zero)
            {
                fakes.DeliverToRunning(1, 1_000);
            }
        });

        var result = await RunAsync(target, Options(fakes), Closed(TransportIds.Sse, copies: 2, seconds: 1.5), progress);

        // The fake target burns half a core and grows 1 MiB per connection.
        Assert.InRange(result.Server.CpuCores, 0.45, 0.55);
        Assert.Equal(FakeTarget.BaseWorkingSet, result.Server.WorkingSetBytesBefore);
        Assert.Equal(FakeTarget.BaseWorkingSet + (2L << 20), result.Server.WorkingSetBytesPeak);
        Assert.Equal(1024, result.Server.KibPerConnection);
        Assert.Equal(result.Server.CpuMs * 1000 / result.Throughput.EventsDelivered, result.Server.CpuMsPer1000Events);
    }

    [Fact]
    public async Task RunAsync_OpenModelAgainstAStalledTarget_ShowsTheStallInP99()
    {
        // 50 requests/s for 3 s; one second in, the target stalls for 1 s. Requests are timed from their
        // intended start and nobody waits for the stalled ones, so ~50 requests carry 0..1 s of stall.
        var fakes = new FakeClients();
        var stall = new StallWindow(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), _time);
        fakes.Gate = stall.WaitAsync;
        var scenario = new Scenario
        {
            Name = "stall",
            Transport = TransportIds.Polling,
            Load = [new Inject(50, S(1), S(3))],
            Feed = new FeedSpec(0, 16),
            OpenModelClients = 200,
        };

        var result = await RunAsync(new FakeTarget(fakes, _time), Options(fakes, requestDriven: true), scenario);

        Assert.Equal(150, result.Throughput.Requests);
        Assert.Equal(0, result.Errors.Count);
        Assert.NotNull(result.Latency.Request);
        Assert.True(result.Latency.Request.P99Ms >= 900, $"p99 {result.Latency.Request.P99Ms} ms should show the 1 s stall");
        Assert.True(result.Latency.Request.P90Ms >= 400, $"p90 {result.Latency.Request.P90Ms} ms: a third of the requests were stalled");
        Assert.Equal(200, result.Clients);
        Assert.Equal(1.0, result.Throughput.EmptyResponseShare);
    }

    [Fact]
    public async Task RunAsync_OpenModel_TimesEachRequestFromItsIntendedStartOnTheRunsClock()
    {
        // 20 requests/s for 1 s; the target answers each one 30 ms after it arrives, on the run's clock. The
        // scheduler fires an arrival at its planned time or at most 1 ms before (it does not wait out less than
        // 1 ms), so every request took 29 to 30 ms from its intended start — nothing of the real time the test took.
        var fakes = new FakeClients();
        fakes.Gate = ct => Task.Delay(TimeSpan.FromMilliseconds(30), _time, ct);
        var scenario = new Scenario
        {
            Name = "timed",
            Transport = TransportIds.Polling,
            Load = [new Inject(20, S(1), S(1))],
            Feed = new FeedSpec(0, 16),
            OpenModelClients = 5,
        };

        var result = await RunAsync(new FakeTarget(fakes, _time), Options(fakes, requestDriven: true), scenario);

        Assert.Equal(20, result.Throughput.Requests);
        Assert.Equal(0, result.Errors.Count);
        Assert.NotNull(result.Latency.Request);
        Assert.Equal(20, result.Latency.Request.Count);
        Assert.InRange(result.Latency.Request.P50Ms, 29, 30.05);
        Assert.InRange(result.Latency.Request.MaxMs, 29, 30.05);
        Assert.InRange(result.Latency.Request.MeanMs, 29, 30.05);
    }

    [Fact]
    public async Task RunAsync_OpenModel_TakesPoolClientsInTurn_SoEveryLogicalClientPollsAtTheSamePace()
    {
        var fakes = new FakeClients();
        var scenario = new Scenario
        {
            Name = "in_turn",
            Transport = TransportIds.Polling,
            Load = [new Inject(40, S(1), S(1.5))],
            Feed = new FeedSpec(0, 16),
            OpenModelClients = 20,
        };

        var result = await RunAsync(new FakeTarget(fakes, _time), Options(fakes, requestDriven: true), scenario);

        // 60 arrivals, fired a few per scheduler tick, over a pool of 20 taken in turn: about 3 each, and every
        // client used. A last-in-first-out pool sent every tick through the same few clients and left most of
        // the others idle, with cursors that went stale.
        Assert.Equal(60, result.Throughput.Requests + result.Errors.Count);
        Assert.Equal(20, fakes.All.Count);
        Assert.All(fakes.All, client => Assert.InRange(client.Counters.Snapshot().Requests, 1, 6));
    }

    [Fact]
    public async Task RunAsync_OpenModelWithEveryClientBusy_DropsAndCountsArrivals()
    {
        var fakes = new FakeClients();
        fakes.Gate = ct => Task.Delay(Timeout.Infinite, ct); // never answers
        var scenario = new Scenario
        {
            Name = "backlog",
            Transport = TransportIds.LongPolling,
            Load = [new Inject(20, S(1), S(1))],
            Feed = new FeedSpec(0, 16),
            OpenModelClients = 5,
        };

        var result = await RunAsync(new FakeTarget(fakes, _time), Options(fakes, requestDriven: true), scenario);

        // 20 arrivals, 5 clients stuck in their first request: 15 dropped, none queued.
        Assert.Equal(15, result.Errors.ByKind[SchedulerErrors.OpenModelBacklog]);
        Assert.Equal(0, result.Throughput.Requests);
    }

    [Fact]
    public async Task RunAsync_BeyondTheFdBudget_RefusesCopiesAndCountsFdLimit()
    {
        var fakes = new FakeClients();
        // 1000 files allowed, 997 open before any client: room for 3 sockets.
        var options = Options(fakes) with { FdBudget = new FdBudget(reserve: 0, read: () => (1000, 997 + fakes.Live)) };

        var result = await RunAsync(new FakeTarget(fakes, _time), options, Closed(TransportIds.Sse, copies: 10, seconds: 1));

        Assert.Equal(3, result.Clients);
        Assert.Equal(7, result.Errors.ByKind[SchedulerErrors.FdLimit]);
        Assert.Equal(3, fakes.All.Count);
    }

    [Fact]
    public async Task RunAsync_RampingConstant_StartsAndStopsCopiesOnPlan()
    {
        var fakes = new FakeClients();
        var counts = new List<long>();
        var progress = new InlineProgress(p =>
        {
            if (p.Phase == RunPhase.Measured && p.Elapsed > TimeSpan.Zero)
            {
                counts.Add(fakes.Live);
            }
        });
        var scenario = Closed(TransportIds.Sse, 4, 1.5) with { Load = [new KeepConstant(4, S(1.5)), new RampingConstant(0, S(1.5))] };

        var result = await RunAsync(new FakeTarget(fakes, _time), Options(fakes), scenario, progress);

        Assert.Equal(4, result.Clients);
        Assert.Equal(4, counts[0]);          // t ≈ 1 s: still KeepConstant(4)
        Assert.InRange(counts[1], 1, 3);     // t ≈ 2 s: halfway down the ramp (4 → 0 over 1.5 s)
        Assert.Equal(0, fakes.Live);
    }

    [Fact]
    public async Task RunAsync_CopiesThatEndOnTheirOwn_AreCountedAndReplaced_CopiesStoppedByThePlanAreNot()
    {
        var fakes = new FakeClients();
        var made = 0;
        // The first copy's run returns at once, the second's throws; every later one runs until stopped.
        var options = Options(fakes) with
        {
            ClientFactory = o => Interlocked.Increment(ref made) switch
            {
                1 => new EndingClient(o, fail: false),
                2 => new EndingClient(o, fail: true),
                _ => fakes.Create(o, requestDriven: false),
            },
        };
        // Three copies, then down to none on the plan: copies the plan stops end too, and are no exits.
        var scenario = Closed(TransportIds.Sse, 3, 1.5) with { Load = [new KeepConstant(3, S(1.5)), new RampingConstant(0, S(1))] };

        var result = await RunAsync(new FakeTarget(fakes, _time), options, scenario);

        Assert.Equal(1, result.Errors.ByKind[SchedulerErrors.ClientExited]);
        Assert.Equal(1, result.Errors.ByKind[SchedulerErrors.ClientFailed]);
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal(3, fakes.All.Count); // one at the start and the two replacements
        Assert.All(fakes.All, f => Assert.True(f.Disposed));
        Assert.Equal(0, fakes.Live);
    }

    /// <summary>A copy whose run ends by itself: returns at once, or throws.</summary>
    private sealed class EndingClient(FeedClientOptions options, bool fail) : IFeedClient
    {
        public FeedClientOptions Options { get; } = options;

        public ClientCounters Counters { get; } = new();

        public long Cursor => 0;

        public Task RunAsync(CancellationToken cancellationToken) =>
            fail ? Task.FromException(new InvalidOperationException("a client bug")) : Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A target stall: calls arriving within [start, start + length) after the first call wait until it ends.</summary>
    private sealed class StallWindow(TimeSpan start, TimeSpan length, TimeProvider time)
    {
        private readonly object _lock = new();
        private long? _first;

        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            long first;
            lock (_lock)
            {
                first = _first ??= time.GetTimestamp();
            }

            var since = time.GetElapsedTime(first);
            if (since >= start && since < start + length)
            {
                await Task.Delay(start + length - since, time, cancellationToken);
            }
        }
    }
}
