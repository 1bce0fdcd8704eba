using LoadBench.Engine.Distributed.Clock;
using LoadBench.Engine.Distributed.Messages;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Distributed.Agent;

/// <summary>
/// An agent's part in one run: the target it drives, its clock offset to the publisher, the scenario it is playing,
/// and the watchdog that ends it all when the coordinator falls silent (a dead coordinator leaves no load behind).
/// </summary>
internal sealed class AgentSession : IAsyncDisposable
{
    private readonly ITargetApi _target;
    private readonly IDisposable _targetLifetime;
    private readonly RunOptions _run;
    private readonly string _agent;
    private readonly CancellationTokenSource _life = new();
    private readonly Func<AgentTick, CancellationToken, Task> _publishTick;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private AgentScenario? _scenario;
    private long _lastCoordinatorBeat;
    private int _coordinatorGivenUp;
    private long _lastProbe;

    private AgentSession(string runId, ITargetApi target, IDisposable targetLifetime, RunOptions run, ClockOffset offset, string agent, Func<AgentTick, CancellationToken, Task> publishTick)
    {
        RunId = runId;
        _target = target;
        _targetLifetime = targetLifetime;
        _run = run;
        Offset = offset;
        _agent = agent;
        _publishTick = publishTick;
        _lastCoordinatorBeat = run.TimeProvider.GetTimestamp();
    }

    public string RunId { get; }

    public ClockOffset Offset { get; }

    /// <summary>Fires when the session ends: left, or the coordinator was lost.</summary>
    public CancellationToken Ended => _life.Token;

    /// <summary>Joins a run: checks the target's addresses, estimates the clock offset to the publisher.</summary>
    public static async Task<AgentSession> JoinAsync(
        JoinRequest join, AgentOptions options, Func<AgentTick, CancellationToken, Task> publishTick, CancellationToken cancellationToken)
    {
        var url = TargetAddress.Check(join.TargetUrl, options.AllowNonLoopback);
        // Behind a proxy the clients use the proxy, while the clock and the feed's info (the cursor of copies that
        // join late) come from the publisher itself: the proxy passes neither /feed/clock nor the control routes on.
        var control = join.ControlUrl is { } c ? TargetAddress.Check(c, options.AllowNonLoopback) : url;
        TargetHttpApi? direct = null;
        ScaledOutTargetApi? scaledOut = null;
        ITargetApi target = control == url
            ? direct = new TargetHttpApi(url)
            : scaledOut = new ScaledOutTargetApi(url, control, [], []);
        IDisposable lifetime = (IDisposable?)direct ?? scaledOut!;
        try
        {
            ClockOffset offset;
            using (var clock = new HttpClient { BaseAddress = control, Timeout = TimeSpan.FromSeconds(5) })
            {
                offset = await ClockOffsetEstimator.EstimateAsync(clock, options.TimeProvider, ClockOffsetEstimator.DefaultSamples, cancellationToken);
            }

            var run = new RunOptions
            {
                TargetUrl = url,
                ControlUrl = join.ControlUrl is null ? null : control,
                AllowNonLoopback = options.AllowNonLoopback,
                SourceAddresses = options.SourceAddresses,
                // Receive times on the publisher's time line: latency = corrected now − ts.
                TimeProvider = new OffsetTimeProvider(options.TimeProvider, TimeSpan.FromTicks(offset.OffsetMicros * TimeSpan.TicksPerMicrosecond)),
                FdBudget = options.FdBudget,
                MaxCopyStartsPerSecond = options.ConnectRate,
                // HTTP/2 and TLS scenarios: the target's other endpoints and the certificate the coordinator trusts.
                Endpoints = join.Endpoints?.ToEndpoints(url, options.AllowNonLoopback),
            };
            return new AgentSession(join.RunId, target, lifetime, run, offset, options.Name, publishTick);
        }
        catch
        {
            lifetime.Dispose();
            throw;
        }
    }

    public void CoordinatorBeat() => Interlocked.Exchange(ref _lastCoordinatorBeat, _run.TimeProvider.GetTimestamp());

    /// <summary>True at most once per <paramref name="every"/>: time to ask whether the silent coordinator's connection exists.</summary>
    public bool ShouldProbeCoordinator(TimeSpan every)
    {
        var now = _run.TimeProvider.GetTimestamp();
        if (_lastProbe != 0 && _run.TimeProvider.GetElapsedTime(_lastProbe, now) < every)
        {
            return false;
        }

        _lastProbe = now;
        return true;
    }

    /// <summary>True once: the first caller that finds the coordinator gone ends the session.</summary>
    public bool TryGiveUpCoordinator() => Interlocked.Exchange(ref _coordinatorGivenUp, 1) == 0;

    public bool CoordinatorSilentFor(TimeSpan silence) =>
        _run.TimeProvider.GetElapsedTime(Interlocked.Read(ref _lastCoordinatorBeat)) > silence;

    public async Task PrepareAsync(PrepareRequest request, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await DropScenarioAsync();
            var share = request.Share.ToScenario();
            var scenario = new AgentScenario(share, request.ScenarioIndex, _target, _run, request.StartCursor, request.StartEpoch, _agent, _publishTick);
            _scenario = scenario;
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _life.Token);
            await scenario.PrepareAsync(linked.Token);
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Start(StartRequest request)
    {
        var scenario = Current(request.ScenarioIndex);
        var startAt = DateTimeOffset.UnixEpoch + TimeSpan.FromTicks(request.StartAtUnixMicros * TimeSpan.TicksPerMicrosecond);
        scenario.Start(startAt, _life.Token);
    }

    public async Task<long> DrainAsync(DrainRequest request, CancellationToken cancellationToken)
    {
        var scenario = Current(request.ScenarioIndex);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _life.Token);
        return await scenario.DrainAsync(request.LastSeq, TimeSpan.FromMilliseconds(request.TimeoutMs), linked.Token);
    }

    public async Task<AgentReport> StopAsync(StopRequest request)
    {
        await _lock.WaitAsync();
        try
        {
            var scenario = Current(request.ScenarioIndex);
            var report = await scenario.StopAsync();
            await DropScenarioAsync();
            return report;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Ends the session now: the play is cancelled and every client stopped.</summary>
    public async Task EndAsync()
    {
        await _life.CancelAsync();
        await _lock.WaitAsync();
        try
        {
            await DropScenarioAsync();
        }
        finally
        {
            _lock.Release();
        }
    }

    private AgentScenario Current(int index) =>
        _scenario is { } s && s.Index == index
            ? s
            : throw new InvalidOperationException($"Scenario {index} is not prepared on this agent.");

    private async Task DropScenarioAsync()
    {
        if (_scenario is { } old)
        {
            _scenario = null;
            await old.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await EndAsync();
        _targetLifetime.Dispose();
        _life.Dispose();
        _lock.Dispose();
    }
}
