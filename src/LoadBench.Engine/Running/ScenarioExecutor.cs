using HdrHistogram;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Transports;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>
/// Runs one scenario against a target: settings → warm-up → measured phase → drain → stop, and returns its
/// <see cref="ScenarioResult"/>. Only the measured phase counts: its counters are the clients' snapshots
/// minus a baseline taken at its start, its histograms start empty at its start.
/// </summary>
internal sealed class ScenarioExecutor(ITargetApi target, RunOptions options)
{
    private readonly ITargetApi _target = target ?? throw new ArgumentNullException(nameof(target));
    private readonly RunOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>The engine's CPU, in cores, over the last scenario's measured window (the same window as the
    /// target's <see cref="ServerCostResult.CpuCores"/>): the limit search's "engine CPU".</summary>
    public double LastEngineCores { get; private set; }

    /// <summary>Share of the whole machine's CPU (every process) busy over the same window; null where unknown.</summary>
    public double? LastMachineBusy { get; private set; }

    public async Task<ScenarioResult> RunAsync(
        Scenario scenario, int index, int count, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ScenarioValidator.EnsureValid(scenario);
        return await RunCoreAsync(scenario, new Reporter(scenario.Name, index, count, progress), cancellationToken);
    }

    private async Task<ScenarioResult> RunCoreAsync(Scenario scenario, Reporter report, CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        var recorders = new LatencyRecorders();

        // Working set before any client of this scenario exists: the base of "KiB per connection".
        var before = await _target.GetStatsAfterFullCollectionAsync(cancellationToken);
        await _target.PutSettingsAsync(new FeedSettings(scenario.Feed.RatePerSecond, scenario.Feed.PayloadBytes), cancellationToken);
        var info = await _target.GetInfoAsync(cancellationToken);

        var clients = new ScenarioClients(scenario, _target, recorders, _options, info.LatestSeq, info.Epoch);
        await using ILoadDriver driver = scenario.IsOpenModel ? new OpenLoadDriver(clients) : new ClosedLoadDriver(clients);
        report.Phase(RunPhase.Starting, scenario.WarmUp + scenario.Duration);
        await driver.StartAsync(cancellationToken);

        if (scenario.WarmUp > TimeSpan.Zero)
        {
            report.Phase(RunPhase.WarmUp, scenario.WarmUp);
            await PlayAsync(driver, recorders, scenario.WarmUp, RunPhase.WarmUp, report, measured: null, cancellationToken);
        }

        // Measured phase: baseline and empty recorders first, then settle the load at its t = 0 level (so
        // copies started or refused by that settling count in the measured phase).
        report.Phase(RunPhase.Measured, scenario.Duration);
        var baseline = driver.Snapshot();
        // The window's clock starts with its counters: what settling and the first /stats call take is inside it.
        var measuredStart = time.GetTimestamp();
        var measuredStartUtc = time.GetUtcNow();
        var engineCpuStart = _options.EngineCpuTime();
        var machineStart = _options.MachineCpuTicks();
        recorders.Event.GetIntervalHistogram();
        recorders.Request.GetIntervalHistogram();
        recorders.Recovery.GetIntervalHistogram();
        driver.BeginMeasuredPhase();
        using var stopFaults = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var faults = FaultInjector.RunAsync(scenario.Faults, _target, measuredStart, time, clients.SchedulerCounters, stopFaults.Token);
        await driver.SettleAtStartAsync(cancellationToken);
        var statsStart = await _target.GetStatsAsync(cancellationToken);

        await using var sampler = new ServerCostSampler(_target, _options.SampleInterval, time);
        sampler.Observe(before.Process);
        sampler.Observe(statsStart.Process);
        sampler.Start();

        var measured = new MeasuredAccumulator(baseline.EventsDelivered);
        await PlayAsync(driver, recorders, scenario.Duration, RunPhase.Measured, report, measured, cancellationToken);
        var duration = time.GetElapsedTime(measuredStart);
        await StopAsync(faults, stopFaults); // every fault starts inside the window; one still waiting to be posted is not
        // Throughput counts what arrived inside the window; the drain below only lets late events arrive
        // (for integrity and their latencies) and must not inflate events/s of a saturated transport.
        var inWindow = driver.Snapshot().Since(baseline);

        // Drain: pause the publisher, so "the events of the measured phase" is a closed set, and give the
        // clients a moment to receive the ones still in flight — they are late, not lost.
        report.Phase(RunPhase.Draining, _options.DrainTimeout);
        var paused = await _target.PutSettingsAsync(new FeedSettings(RatePerSecond: 0), cancellationToken);

        // A publish already under way when the pause arrived can still land just after it: look once more.
        await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        var lastSeq = Math.Max(paused.LatestSeq, (await _target.GetInfoAsync(cancellationToken)).LatestSeq);
        var undelivered = await driver.DrainAsync(lastSeq, _options.DrainTimeout, cancellationToken);
        var statsEnd = await _target.GetStatsAsync(cancellationToken);
        var wall = time.GetElapsedTime(measuredStart);
        LastEngineCores = wall > TimeSpan.Zero ? (_options.EngineCpuTime() - engineCpuStart) / wall : 0;
        LastMachineBusy = (machineStart, _options.MachineCpuTicks()) is ({ } a, { } b) && b.Total > a.Total
            ? (double)(b.Busy - a.Busy) / (b.Total - a.Total)
            : null;
        sampler.Observe(statsEnd.Process);
        // Every event is delivered and every client still connected: what the target retains for them now.
        var retained = await _target.GetStatsAfterFullCollectionAsync(cancellationToken);
        var faultPeriods = await FaultPeriodsAsync(measuredStartUtc, time.GetUtcNow(), cancellationToken);
        await driver.StopAsync();

        var lifetime = driver.Snapshot();
        // Events a subscriber never got by the end of the drain are lost, though no later seq revealed the gap.
        // A gap opened in the warm-up and filled in the window comes back as -1 lost: that event was not lost after
        // all, and the warm-up's +1 is not in this window, so the window's count stops at 0.
        var sinceBaseline = lifetime.Since(baseline);
        var counters = sinceBaseline with { Lost = Math.Max(0, sinceBaseline.Lost) + undelivered };
        measured.Events.Add(recorders.Event.GetIntervalHistogram());
        measured.Requests.Add(recorders.Request.GetIntervalHistogram());

        var result = ScenarioResultBuilder.Build(new MeasuredPhase(
            scenario, counters, inWindow, lifetime, measured.Events, measured.Requests, duration, driver.PeakClients,
            new ServerWindow(before.Process.WorkingSetBytes, sampler.PeakWorkingSet, statsStart.Process.CpuTimeMs, statsEnd.Process.CpuTimeMs, wall,
                before.Process.ManagedHeapBytes, retained.Process.ManagedHeapBytes),
            measured.Series)
        {
            // Cuts of the window and the drain that recovered by now (the clients stopped above).
            Recovery = recorders.Recovery.GetIntervalHistogram(),
            Faults = faultPeriods,
        });
        report.Phase(RunPhase.Done, TimeSpan.Zero, result.Throughput.EventsPerSecond, result.Latency.Event.P99Ms);
        return result;
    }

    private static async Task StopAsync(Task faults, CancellationTokenSource stop)
    {
        await stop.CancelAsync();
        try
        {
            await faults;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // A fault planned after the window's actual end: not posted.
        }
    }

    /// <summary>The target's faults over the window and the drain; null when there were none, or the target has no
    /// fault list (one that predates it).</summary>
    private async Task<IReadOnlyList<FaultPeriod>?> FaultPeriodsAsync(DateTimeOffset windowStart, DateTimeOffset windowEnd, CancellationToken cancellationToken)
    {
        try
        {
            return FaultInjector.Periods(await _target.GetFaultsAsync(cancellationToken), windowStart, windowEnd);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested
            && e is HttpRequestException or InvalidOperationException or OperationCanceledException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Plays one phase and samples once per interval: live progress always; for the measured phase
    /// also the time series and the phase histograms.</summary>
    private async Task PlayAsync(
        ILoadDriver driver, LatencyRecorders recorders, TimeSpan length, RunPhase phase, Reporter report,
        MeasuredAccumulator? measured, CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        var start = time.GetTimestamp();
        var play = driver.PlayAsync(length, cancellationToken);
        var next = _options.SampleInterval;
        var lastEvents = driver.Snapshot().EventsDelivered;
        var lastAt = TimeSpan.Zero;
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (!play.IsCompleted)
        {
            var wait = next - time.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.WhenAny(play, Task.Delay(wait, time, stopWaiting.Token));
                continue;
            }

            var elapsed = time.GetElapsedTime(start);
            var events = recorders.Event.GetIntervalHistogram();
            var requests = recorders.Request.GetIntervalHistogram();
            var delivered = driver.Snapshot().EventsDelivered;
            var eventsPerSecond = (delivered - lastEvents) / Math.Max(1e-9, (elapsed - lastAt).TotalSeconds);
            var p99 = LatencySummaries.PercentileMs(events, 99);
            if (measured is not null)
            {
                measured.Events.Add(events);
                measured.Requests.Add(requests);
                measured.Series.Add(new TimeSeriesPoint
                {
                    T = Math.Round(elapsed.TotalSeconds, 3),
                    EventsPerSecond = eventsPerSecond,
                    P50Ms = LatencySummaries.PercentileMs(events, 50),
                    P99Ms = p99,
                    Clients = driver.Clients,
                    Histogram = HistogramCodec.Encode(events),
                });
            }

            report.Tick(phase, elapsed, length - elapsed, eventsPerSecond, p99, driver.Clients);
            (lastEvents, lastAt) = (delivered, elapsed);
            next += _options.SampleInterval;
        }

        await stopWaiting.CancelAsync();
        await play;
    }

    /// <summary>The measured phase's running totals: whole-phase histograms and the time series.</summary>
    private sealed class MeasuredAccumulator(long baselineEvents)
    {
        public long BaselineEvents { get; } = baselineEvents;
        public HistogramBase Events { get; } = HistogramCodec.NewHistogram();
        public HistogramBase Requests { get; } = HistogramCodec.NewHistogram();
        public List<TimeSeriesPoint> Series { get; } = [];
    }

    private sealed class Reporter(string scenario, int index, int count, IProgress<RunProgress>? progress)
    {
        public void Phase(RunPhase phase, TimeSpan remaining, double eventsPerSecond = 0, double p99 = 0) =>
            progress?.Report(new RunProgress(scenario, index, count, phase, TimeSpan.Zero, remaining, eventsPerSecond, p99, 0));

        public void Tick(RunPhase phase, TimeSpan elapsed, TimeSpan remaining, double eventsPerSecond, double p99, int clients) =>
            progress?.Report(new RunProgress(
                scenario, index, count, phase, elapsed, remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, eventsPerSecond, p99, clients));
    }
}
