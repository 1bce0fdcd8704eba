using LoadBench.Contracts;
using LoadBench.Engine.Limits;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// One scenario: one transport, one load simulation, one feed setting. Build it in code or load it from a
/// scenario file (<see cref="ScenarioFile"/>); <see cref="ScenarioValidator"/> checks either way.
/// </summary>
public sealed record Scenario
{
    /// <summary>snake_case, unique in a plan: <c>sse_100_clients</c>.</summary>
    public required string Name { get; init; }

    /// <summary>One of <see cref="TransportIds.All"/>.</summary>
    public required string Transport { get; init; }

    /// <summary>The steps of the measured phase, played in order.</summary>
    public required IReadOnlyList<LoadSimulation> Load { get; init; }

    /// <summary>The feed the target publishes during the scenario (applied with <c>PUT /feed/settings</c>).</summary>
    public required FeedSpec Feed { get; init; }

    /// <summary>A rehearsal of the load's first <see cref="WarmUp"/> before the measured phase; its counts and
    /// latencies are left out of the results.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.Zero;

    /// <summary>How each client talks to the target.</summary>
    public ClientSpec Client { get; init; } = new();

    /// <summary>The production-path dimensions: HTTP version, TLS, compression, heartbeat, streams per
    /// connection, proxy. Part of the scenario's setup (never merged or compared across).</summary>
    public ConnectionSetup Setup { get; init; } = ConnectionSetup.Default;

    /// <summary>
    /// Open models only: the pool of request-driven clients (each with its own cursor, one request at a
    /// time). It is also the bound on requests in flight: an arrival that finds every client busy is dropped
    /// and counted as the error <c>open_model_backlog</c>. Null: the peak arrivals per second, rounded up.
    /// </summary>
    public int? OpenModelClients { get; init; }

    /// <summary>Faults the runner injects into the target during the measured phase (the entry's <c>faults</c>
    /// block), in the order written; empty for none.</summary>
    public IReadOnlyList<ScenarioFault> Faults { get; init; } = [];

    /// <summary>The entry's <c>search</c> block: what <c>loadbench limits</c> varies and the SLO it holds it to;
    /// null when the entry has none (<c>loadbench run</c> ignores it).</summary>
    internal LimitSearch? Search { get; init; }

    /// <summary>Length of the measured phase: the sum of the load steps.</summary>
    public TimeSpan Duration => Load.Aggregate(TimeSpan.Zero, (sum, step) => sum + step.During);

    public bool IsOpenModel => Load.Count > 0 && Load[0].IsOpen;

    /// <summary>The load as written, e.g. <c>KeepConstant(copies: 10, during: 00:00:10)</c>; steps joined by <c>, </c>.</summary>
    public string DescribeLoad() => string.Join(", ", Load.Select(step => step.Describe()));
}

/// <summary>The feed's publisher during a scenario.</summary>
/// <param name="RatePerSecond">Events published per second (0 pauses the publisher).</param>
/// <param name="PayloadBytes">Size of each event's <c>data</c>.</param>
public sealed record FeedSpec(double RatePerSecond, int PayloadBytes);

/// <summary>Transport client settings.</summary>
public sealed record ClientSpec
{
    /// <summary>Short polling (closed models): the pause after each response before the next poll.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Long polling: how long the target may hold a request before answering 204.</summary>
    public TimeSpan LongPollTimeout { get; init; } = TimeSpan.FromMilliseconds(FeedRoutes.DefaultLongPollTimeoutMs);

    /// <summary>Polling and long polling: most events per response.</summary>
    public int MaxPerPoll { get; init; } = FeedRoutes.DefaultPollMax;

    /// <summary>The back-off before reconnecting (the file's <c>reconnect</c> block).</summary>
    internal Transports.ReconnectPolicy Reconnect { get; init; } = Transports.ReconnectPolicy.Default;
}
