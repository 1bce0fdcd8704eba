using LoadBench.Engine.Metrics;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Transports;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Running;

/// <summary>What every client of one scenario shares: how to make one, and the scheduler's own error counters.</summary>
internal sealed class ScenarioClients(
    Scenario scenario, ITargetApi target, LatencyRecorders recorders, RunOptions options, long startCursor, string? startEpoch = null)
{
    public Scenario Scenario { get; } = scenario;
    public ITargetApi Target { get; } = target;
    public RunOptions Options { get; } = options;

    /// <summary>One policy per scenario, so its round robin over source addresses spans all of the scenario's clients.</summary>
    private readonly ConnectionPolicy _connections = new(options.AllowNonLoopback, options.SourceAddresses);

    /// <summary>Errors of the scheduler itself: <c>fd_limit</c>, <c>open_model_backlog</c>, <c>client_exited</c>, …</summary>
    public ClientCounters SchedulerCounters { get; } = new();

    /// <summary>The cursor clients start after; new copies of a ramp refresh it (see <see cref="RefreshCursorAsync"/>).</summary>
    public long Cursor { get; private set; } = startCursor;

    /// <summary>The feed epoch <see cref="Cursor"/> belongs to (null from a target without epochs).</summary>
    public string? Epoch { get; private set; } = startEpoch;

    /// <summary>The HTTP/2 connections the clients share when the setup asks for several streams per connection.</summary>
    private readonly SharedConnections _shared = new(scenario.Setup.StreamsPerConnection);

    /// <summary>Where this setup's clients connect, and the certificate they trust under TLS.</summary>
    private readonly (Uri BaseUri, string? TlsFingerprint) _endpoint = scenario.Setup.Tls || scenario.Setup.Http != Contracts.HttpVersions.Http11
        ? (options.Endpoints ?? throw new ArgumentException($"Scenario '{scenario.Name}' asks for {scenario.Setup.Describe()}, but the target's endpoints are unknown.")).For(scenario.Setup)
        : (target.BaseUri, null);

    public IFeedClient Create() => Options.ClientFactory(new FeedClientOptions(_endpoint.BaseUri, Scenario.Transport, recorders)
    {
        Setup = Scenario.Setup,
        TlsFingerprint = _endpoint.TlsFingerprint,
        SharedConnection = _shared.Next(),
        StartAfter = Cursor,
        Epoch = Epoch,
        PollInterval = Scenario.Client.PollInterval,
        LongPollTimeout = Scenario.Client.LongPollTimeout,
        PollMax = Scenario.Client.MaxPerPoll,
        TimeProvider = Options.TimeProvider,
        Randomizer = Options.Randomizer,
        Reconnect = Scenario.Client.Reconnect,
        Connections = _connections,
    });

    /// <summary>
    /// Copies started after the scenario began start from the feed's latest seq at their start, not the
    /// scenario's: a copy joining 10 s in would otherwise first replay 10 s of backlog and report it as latency.
    /// </summary>
    public async Task RefreshCursorAsync(CancellationToken cancellationToken)
    {
        try
        {
            var info = await Target.GetInfoAsync(cancellationToken);
            (Cursor, Epoch) = (info.LatestSeq, info.Epoch);
        }
        catch (HttpRequestException)
        {
            SchedulerCounters.Error(SchedulerErrors.TargetInfoFailed);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            SchedulerCounters.Error(SchedulerErrors.TargetInfoFailed);
        }
    }
}
