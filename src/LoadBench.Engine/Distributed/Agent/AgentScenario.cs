using HdrHistogram;
using LoadBench.Engine.Distributed.Messages;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Distributed.Agent;

/// <summary>
/// One agent's share of one scenario, played on the coordinator's schedule: prepared (clients and pools made), then
/// warm-up and measured phase from one instant on the publisher's clock (the same instant on every agent), then
/// drained and stopped on command. The counting is the single-process executor's: baseline at the measured phase's
/// start, empty recorders, settle, counters since the baseline, events never received by the end of the drain as lost.
/// </summary>
internal sealed class AgentScenario(
    Scenario share, int index, ITargetApi target, RunOptions options, long startCursor, string? startEpoch, string agent,
    Func<AgentTick, CancellationToken, Task> publishTick) : IAsyncDisposable
{
    private readonly LatencyRecorders _recorders = new();
    private readonly HistogramBase _events = HistogramCodec.NewHistogram();
    private readonly HistogramBase _requests = HistogramCodec.NewHistogram();
    private readonly List<TimeSeriesPoint> _series = [];
    private ILoadDriver? _driver;
    private Task _play = Task.CompletedTask;
    private CancellationTokenSource? _playCancel;
    private ClientCountersSnapshot _baseline = ClientCountersSnapshot.Empty;
    private ClientCountersSnapshot _inWindow = ClientCountersSnapshot.Empty;
    private TimeSpan _duration;
    private long _undelivered;
    private long _measuredStart;
    private TimeSpan _cpuAtMeasuredStart;
    private double? _engineCores;

    public int Index { get; } = index;

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var clients = new ScenarioClients(share, target, _recorders, options, startCursor, startEpoch);
        _driver = share.IsOpenModel ? new OpenLoadDriver(clients) : new ClosedLoadDriver(clients);
        await _driver.StartAsync(cancellationToken);
    }

    /// <summary>Starts playing at <paramref name="startAt"/> on the publisher's time line (this agent's corrected clock).</summary>
    public void Start(DateTimeOffset startAt, CancellationToken cancellationToken)
    {
        _playCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _playCancel.Token;
        _play = Task.Run(() => PlayAsync(startAt, token), CancellationToken.None);
    }

    private async Task PlayAsync(DateTimeOffset startAt, CancellationToken cancellationToken)
    {
        var driver = _driver ?? throw new InvalidOperationException("Start before prepare.");
        var time = options.TimeProvider;
        await DelayUntilAsync(startAt, cancellationToken);
        if (share.WarmUp > TimeSpan.Zero)
        {
            await SampleAsync(driver, share.WarmUp, "warmup", measured: false, cancellationToken);
        }

        // Every agent starts its measured phase at the same instant, whatever its warm-up cost it.
        await DelayUntilAsync(startAt + share.WarmUp, cancellationToken);
        _baseline = driver.Snapshot();
        var measuredStart = _measuredStart = time.GetTimestamp();
        _cpuAtMeasuredStart = options.EngineCpuTime();
        _recorders.Event.GetIntervalHistogram();
        _recorders.Request.GetIntervalHistogram();
        _recorders.Recovery.GetIntervalHistogram();
        driver.BeginMeasuredPhase();
        await driver.SettleAtStartAsync(cancellationToken);
        await SampleAsync(driver, share.Duration, "measured", measured: true, cancellationToken);
        _duration = time.GetElapsedTime(measuredStart);
        _inWindow = driver.Snapshot().Since(_baseline);
    }

    /// <summary>Waits for the measured phase to end (bounded by the caller's token), then for the clients to
    /// receive every event up to <paramref name="lastSeq"/>.</summary>
    public async Task<long> DrainAsync(long lastSeq, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var driver = _driver ?? throw new InvalidOperationException("Drain before prepare.");
        await _play.WaitAsync(cancellationToken);
        _undelivered = await driver.DrainAsync(lastSeq, timeout, cancellationToken);
        // The agent's own CPU over the same window as the executor's engine CPU: measured phase start to drained.
        var wall = options.TimeProvider.GetElapsedTime(_measuredStart);
        _engineCores = wall > TimeSpan.Zero ? (options.EngineCpuTime() - _cpuAtMeasuredStart) / wall : null;
        return _undelivered;
    }

    public async Task<AgentReport> StopAsync()
    {
        var driver = _driver ?? throw new InvalidOperationException("Stop before prepare.");
        // A stop can come before the play ended (the coordinator's drain gave up on a late agent): end the play first,
        // or its tick could retire a copy the stop is stopping, counting and disposing it twice.
        await StopPlayAsync();
        await driver.StopAsync();
        var lifetime = driver.Snapshot();
        var sinceBaseline = lifetime.Since(_baseline);
        // As the single-process executor counts it: a warm-up gap filled later is not a loss; the drain's shortfall is.
        var counters = sinceBaseline with { Lost = Math.Max(0, sinceBaseline.Lost) + _undelivered };
        _events.Add(_recorders.Event.GetIntervalHistogram());
        _requests.Add(_recorders.Request.GetIntervalHistogram());
        // Cuts of the window and the drain that recovered by now (the clients stopped above), as the executor keeps them.
        var recovery = _recorders.Recovery.GetIntervalHistogram();
        return new AgentReport(
            true, null, CountersWire.From(counters), CountersWire.From(_inWindow), CountersWire.From(lifetime),
            HistogramCodec.Encode(_events), HistogramCodec.Encode(_requests), _duration.TotalSeconds, driver.PeakClients, _series,
            recovery.TotalCount > 0 ? HistogramCodec.Encode(recovery) : null, _engineCores);
    }

    /// <summary>Plays one phase and samples once per interval: a tick to the coordinator always; for the measured
    /// phase also the time series and the phase histograms (as the single-process executor samples).</summary>
    private Task SampleAsync(ILoadDriver driver, TimeSpan length, string phase, bool measured, CancellationToken cancellationToken)
    {
        var second = 0;
        return PhaseSampler.PlayAsync(driver, _recorders, length, options.SampleInterval, options.TimeProvider, async sample =>
        {
            var encoded = HistogramCodec.Encode(sample.Events);
            if (measured)
            {
                _events.Add(sample.Events);
                _requests.Add(sample.Requests);
                _series.Add(sample.ToPoint(encoded));
            }

            await PublishTickQuietlyAsync(
                new AgentTick(agent, Index, phase, second++, sample.EventsPerSecond, sample.Clients, encoded), cancellationToken);
        }, cancellationToken);
    }

    private async Task PublishTickQuietlyAsync(AgentTick tick, CancellationToken cancellationToken)
    {
        try
        {
            // Bounded: with NATS unreachable a publish can wait for the reconnect, and the load must not wait with it.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await publishTick(tick, timeout.Token);
        }
#pragma warning disable CA1031 // Live progress is a view: a tick NATS could not take must not stop the load.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task DelayUntilAsync(DateTimeOffset instant, CancellationToken cancellationToken)
    {
        var wait = instant - options.TimeProvider.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, options.TimeProvider, cancellationToken);
        }
    }

    /// <summary>Cancels the play (when it still runs) and waits for it to end.</summary>
    private async Task StopPlayAsync()
    {
        if (_play.IsCompleted)
        {
            return;
        }

        if (_playCancel is not null)
        {
            await _playCancel.CancelAsync();
        }

        try
        {
            await _play;
        }
#pragma warning disable CA1031 // The play's own end (cancelled, failed) was reported where it mattered.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Stops every client: no load outlives the scenario, whatever ended it. Cancel the play's token first.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopPlayAsync();
        if (_driver is not null)
        {
            await _driver.DisposeAsync();
        }

        _playCancel?.Dispose();
    }
}
