using HdrHistogram;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Proxy;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Transports;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>
/// Runs one scenario against a target: settings → warm-up → measured phase → drain → stop, and returns its
/// <see cref="ScenarioResult"/>. Only the measured phase counts: its counters are the clients' snapshots
/// minus a baseline taken at its start, its histograms start empty at its start. When the run stops early
/// (the token is cancelled, or a call to the target fails: <see cref="RunStop"/>) it stops the clients and throws
/// <see cref="ScenarioInterruptedException"/> with the measured phase so far, marked incomplete.
/// </summary>
internal sealed class ScenarioExecutor(ITargetApi target, RunOptions options, RunStop? stop = null)
{
    /// <summary>How long the closing calls to a target still alive may take after an interruption.</summary>
    private static readonly TimeSpan ClosingCallLimit = TimeSpan.FromSeconds(2);

    private readonly ITargetApi _direct = target ?? throw new ArgumentNullException(nameof(target));

    /// <summary>The running scenario's route to the target: <see cref="_direct"/>, or via a proxy (<see cref="ViaRoute"/>)
    /// — clients to the proxy, control calls still to the target. Scenarios run one at a time.</summary>
    private ITargetApi _target = target;
    private readonly RunOptions _options = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>The engine's CPU, in cores, over the last scenario's measured window (the same window as the
    /// target's <see cref="ServerCostResult.CpuCores"/>): the limit search's "engine CPU".</summary>
    public double LastEngineCores { get; private set; }

    /// <summary>Share of the whole machine's CPU (every process) busy over the same window; null where unknown.</summary>
    public double? LastMachineBusy { get; private set; }

    /// <summary>The transport of the scenario this executor ran last (null before the first): only its connections can
    /// be ours still open on the target (see <see cref="PreviousStreams"/>).</summary>
    private string? _previousTransport;

    /// <summary>The run's one clock.</summary>
    public TimeProvider TimeProvider => _options.TimeProvider;

    public async Task<ScenarioResult> RunAsync(
        Scenario scenario, int index, int count, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ScenarioValidator.EnsureValid(scenario);
        await using var route = await ViaRoute.OpenAsync(scenario.Setup, _direct, _options, cancellationToken);
        _target = route.Target;
        var window = new Window(scenario, new LatencyRecorders()) { Route = route };
        try
        {
            return await RunCoreAsync(window, new Reporter(scenario.Name, index, count, progress), cancellationToken);
        }
        catch (Exception ex) when (IsStop(ex, cancellationToken))
        {
            var where = window.Describe(_options.TimeProvider);
            var partial = await FinishInterruptedAsync(window, where);
            throw new ScenarioInterruptedException(scenario.Name, where, partial, ex, cancellationToken);
        }
        finally
        {
            if (window.Driver is { } driver)
            {
                await driver.DisposeAsync();
            }

            _target = _direct;
        }
    }

    /// <summary>A cancellation of the run, or a failed call to the target: the latter stops the run too.</summary>
    private bool IsStop(Exception ex, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return true;
        }

        if (stop is null || ex is not (HttpRequestException or TaskCanceledException))
        {
            return false;
        }

        stop.TargetFailed(ex is TaskCanceledException ? "a request to the target timed out" : "a request to the target failed: " + ex.Message);
        return true;
    }

    private async Task<ScenarioResult> RunCoreAsync(Window window, Reporter report, CancellationToken cancellationToken)
    {
        var scenario = window.Scenario;
        var recorders = window.Recorders;
        var time = _options.TimeProvider;

        // Working set before any client of this scenario exists: the base of "KiB per connection". The previous
        // scenario's clients are closed, but the target may not have ended their streams yet; read after it has.
        // Before a run's first scenario (the target's warm-up counts as one) there is nothing of ours to wait for.
        if (_previousTransport is { } previous)
        {
            await PreviousStreams.WaitUntilEndedAsync(_target, previous, cancellationToken);
        }

        _previousTransport = scenario.Transport;
        var before = window.Before = await _target.GetStatsAfterFullCollectionAsync(cancellationToken);
        var proxyBefore = window.Route.Nginx?.ReadCost();
        await _target.PutSettingsAsync(new FeedSettings(scenario.Feed.RatePerSecond, scenario.Feed.PayloadBytes), cancellationToken);
        var info = await _target.GetInfoAsync(cancellationToken);

        // Via the engine's nginx, a TLS or HTTP/2 setup's clients connect to that nginx and trust its certificate.
        var clientOptions = window.Route.Endpoints is { } proxyEndpoints ? _options with { Endpoints = proxyEndpoints } : _options;
        var clients = new ScenarioClients(scenario, _target, recorders, clientOptions, info.LatestSeq, info.Epoch);
        ILoadDriver driver = window.Driver = scenario.IsOpenModel ? new OpenLoadDriver(clients) : new ClosedLoadDriver(clients);
        report.Phase(RunPhase.Starting, scenario.WarmUp + scenario.Duration);
        await driver.StartAsync(cancellationToken);

        if (scenario.WarmUp > TimeSpan.Zero)
        {
            window.Phase = RunPhase.WarmUp;
            report.Phase(RunPhase.WarmUp, scenario.WarmUp);
            await PlayAsync(driver, recorders, scenario.WarmUp, RunPhase.WarmUp, report, measured: null, cancellationToken);
        }

        // Measured phase: baseline and empty recorders first, then settle the load at its t = 0 level (so
        // copies started or refused by that settling count in the measured phase).
        window.Phase = RunPhase.Measured;
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
        var measured = window.Measured = new MeasuredAccumulator(baseline, measuredStart);
        driver.BeginMeasuredPhase();
        using var stopFaults = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var faults = FaultInjector.RunAsync(scenario.Faults, _target, measuredStart, time, clients.SchedulerCounters, stopFaults.Token);
        await driver.SettleAtStartAsync(cancellationToken);
        var statsStart = window.StatsStart = await _target.GetStatsAsync(cancellationToken);
        var proxyStart = window.Route.Nginx?.ReadCost();

        await using var sampler = window.Sampler = new ServerCostSampler(_target, _options.SampleInterval, time);
        sampler.Observe(before.Process);
        sampler.Observe(statsStart.Process);
        // A feed that publishes nothing is measured for its idle cost: no per-second /stats read, whose CPU on the
        // target would be a large share of what idle connections cost (CPU is a counter: its two ends suffice).
        if (scenario.Feed.RatePerSecond > 0)
        {
            sampler.Start();
        }

        await PlayAsync(driver, recorders, scenario.Duration, RunPhase.Measured, report, measured, cancellationToken);
        var duration = time.GetElapsedTime(measuredStart);
        await StopAsync(faults, stopFaults); // every fault starts inside the window; one still waiting to be posted is not
        // Throughput counts what arrived inside the window; the drain below only lets late events arrive
        // (for integrity and their latencies) and must not inflate events/s of a saturated transport.
        var inWindow = driver.Snapshot().Since(baseline);
        measured.Closed(duration, inWindow);

        // Drain: pause the publisher, so "the events of the measured phase" is a closed set, and give the
        // clients a moment to receive the ones still in flight — they are late, not lost.
        window.Phase = RunPhase.Draining;
        report.Phase(RunPhase.Draining, _options.DrainTimeout);
        var paused = await _target.PutSettingsAsync(new FeedSettings(RatePerSecond: 0), cancellationToken);

        // A publish already under way when the pause arrived can still land just after it: look once more.
        await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
        var lastSeq = Math.Max(paused.LatestSeq, (await _target.GetInfoAsync(cancellationToken)).LatestSeq);
        var undelivered = await driver.DrainAsync(lastSeq, _options.DrainTimeout, cancellationToken);
        var statsEnd = await _target.GetStatsAsync(cancellationToken);
        var proxyEnd = window.Route.Nginx?.ReadCost();
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
                before.Process.ManagedHeapBytes, retained.Process.ManagedHeapBytes) { ResidentWithClients = retained.Process.WorkingSetBytes },
            measured.Series)
        {
            // Cuts of the window and the drain that recovered by now (the clients stopped above).
            Recovery = recorders.Recovery.GetIntervalHistogram(),
            Faults = faultPeriods,
        });
        if (_options.ControlUrl is not null || window.Route.Proxied)
        {
            // Behind a proxy the clients' bytes are the client ↔ proxy leg; the targets' own counts are the other.
            result = result with { ServerBytes = ServerLegBytes(scenario.Transport, before, statsEnd) };
        }

        if (window.Route.Nginx is { } nginx && proxyBefore is { } pb && proxyStart is { } ps && proxyEnd is { } pe)
        {
            // nginx's part of the server cost above (which includes it), over the same window.
            result = result with
            {
                Proxy = ProxyCostResult.Create(nginx.Configuration, Math.Max(0, pe.CpuMs - ps.CpuMs), wall, pb.ResidentBytes,
                    nginx.PeakResidentBytes, counters.EventsDelivered, driver.PeakClients) with
                {
                    UpstreamHttp = NginxConfigurations.UpstreamHttp(nginx.Configuration),
                },
            };
        }

        report.Phase(RunPhase.Done, TimeSpan.Zero, result.Throughput.EventsPerSecond, result.Latency.Event.P99Ms);
        return result;
    }

    /// <summary>
    /// After a stop: stops the clients and builds the measured phase so far, marked incomplete (null when the
    /// measured phase never began). No drain: what had not arrived is neither delivered nor counted lost — only
    /// gaps the clients saw count. The target's closing CPU reading is asked for only when it is not the failure.
    /// </summary>
    private async Task<ScenarioResult?> FinishInterruptedAsync(Window window, string where)
    {
        var time = _options.TimeProvider;
        if (window.Driver is not { } driver || window.Measured is not { } measured || window.Before is not { } before)
        {
            if (window.Driver is not null)
            {
                await window.Driver.StopAsync();
            }

            return null;
        }

        var duration = measured.Duration ?? time.GetElapsedTime(measured.Start);
        var inWindow = measured.InWindow ?? driver.Snapshot().Since(measured.Baseline);
        await driver.StopAsync();
        var lifetime = driver.Snapshot();
        var sinceBaseline = lifetime.Since(measured.Baseline);
        var counters = sinceBaseline with { Lost = Math.Max(0, sinceBaseline.Lost) };
        measured.Events.Add(window.Recorders.Event.GetIntervalHistogram());
        measured.Requests.Add(window.Recorders.Request.GetIntervalHistogram());

        var start = window.StatsStart ?? before;
        var end = stop?.TargetFailure is null ? await TryGetStatsAsync() : null;
        var peak = Math.Max(window.Sampler?.PeakWorkingSet ?? 0, Math.Max(start.Process.WorkingSetBytes, end?.Process.WorkingSetBytes ?? 0));
        var result = ScenarioResultBuilder.Build(new MeasuredPhase(
            window.Scenario, counters, inWindow, lifetime, measured.Events, measured.Requests, duration, driver.PeakClients,
            new ServerWindow(before.Process.WorkingSetBytes, peak, start.Process.CpuTimeMs, (end ?? start).Process.CpuTimeMs,
                time.GetElapsedTime(measured.Start), before.Process.ManagedHeapBytes, RetainedHeapWithClients: null),
            measured.Series));
        return result with
        {
            Incomplete = new IncompleteMark { Reason = $"{stop?.Cause ?? RunStop.InterruptedCause}; stopped {where}", At = time.GetUtcNow() },
        };
    }

    private async Task<StatsSnapshot?> TryGetStatsAsync()
    {
        try
        {
            using var limit = new CancellationTokenSource(ClosingCallLimit, _options.TimeProvider);
            return await _target.GetStatsAsync(limit.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            return null;
        }
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

    /// <summary>What the targets counted on their own sockets for this scenario's transport, from before its clients
    /// existed to after the drain (their <c>eventsSent</c> the divisor).</summary>
    internal static BytesResult ServerLegBytes(string transport, StatsSnapshot before, StatsSnapshot after)
    {
        TransportStats Of(StatsSnapshot stats) =>
            stats.Transports.TryGetValue(transport, out var t) ? t : new TransportStats(0, 0, 0, 0, 0, 0, 0);
        var (start, end) = (Of(before), Of(after));
        var payload = end.PayloadBytes - start.PayloadBytes;
        var headers = end.HeaderBytes - start.HeaderBytes;
        var wire = ResultFigures.Bytes(payload, end.FramingBytes - start.FramingBytes, headers, end.EventsSent - start.EventsSent);
        // Compressed: the payload above is the compressed body the targets wrote; the uncompressed split beside it,
        // as the clients give theirs (a scenario's connections are all compressed or none).
        var decoded = end.DecodedBodyBytes - start.DecodedBodyBytes;
        return decoded > 0 ? ResultFigures.WithUncompressed(wire, end.EventBytes - start.EventBytes, decoded) : wire;
    }

    /// <summary>Plays one phase and samples once per interval: live progress always; for the measured phase
    /// also the time series and the phase histograms.</summary>
    private Task PlayAsync(
        ILoadDriver driver, LatencyRecorders recorders, TimeSpan length, RunPhase phase, Reporter report,
        MeasuredAccumulator? measured, CancellationToken cancellationToken) =>
        PhaseSampler.PlayAsync(driver, recorders, length, _options.SampleInterval, _options.TimeProvider, sample =>
        {
            if (measured is not null)
            {
                measured.Events.Add(sample.Events);
                measured.Requests.Add(sample.Requests);
                measured.Series.Add(sample.ToPoint(HistogramCodec.Encode(sample.Events)));
            }

            report.Tick(phase, sample.Elapsed, length - sample.Elapsed, sample.EventsPerSecond,
                LatencySummaries.PercentileMs(sample.Events, 99), sample.Clients);
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>The measured phase's running totals: whole-phase histograms and the time series; its window once closed.</summary>
    private sealed class MeasuredAccumulator(ClientCountersSnapshot baseline, long start)
    {
        public ClientCountersSnapshot Baseline { get; } = baseline;
        public long Start { get; } = start;
        public HistogramBase Events { get; } = HistogramCodec.NewHistogram();
        public HistogramBase Requests { get; } = HistogramCodec.NewHistogram();
        public List<TimeSeriesPoint> Series { get; } = [];
        public TimeSpan? Duration { get; private set; }
        public ClientCountersSnapshot? InWindow { get; private set; }

        public void Closed(TimeSpan duration, ClientCountersSnapshot inWindow) => (Duration, InWindow) = (duration, inWindow);
    }

    /// <summary>How far one scenario got: what an interruption needs to stop its clients and keep its figures.</summary>
    private sealed class Window(Scenario scenario, LatencyRecorders recorders)
    {
        public Scenario Scenario { get; } = scenario;
        public LatencyRecorders Recorders { get; } = recorders;
        public RunPhase Phase { get; set; } = RunPhase.Starting;
        public StatsSnapshot? Before { get; set; }
        public ILoadDriver? Driver { get; set; }
        public MeasuredAccumulator? Measured { get; set; }
        public StatsSnapshot? StatsStart { get; set; }
        public ServerCostSampler? Sampler { get; set; }
        public required ViaRoute Route { get; init; }

        public string Describe(TimeProvider time) => Phase switch
        {
            RunPhase.Measured when Measured is { } m => FormattableString.Invariant(
                $"in its measured phase after {time.GetElapsedTime(m.Start).TotalSeconds:0.0} s of {Scenario.Duration.TotalSeconds:0.#} s"),
            RunPhase.Draining => "while draining, after its measured phase (late events not waited for)",
            RunPhase.WarmUp => "in its warm-up (nothing measured yet)",
            _ => "while starting (nothing measured yet)",
        };
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
