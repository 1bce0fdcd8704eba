using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Distributed.Messages;

/// <summary>A <see cref="Scenario"/> (one agent's share of it) on the wire: the agent plays exactly this.</summary>
internal sealed record ScenarioWire(
    string Name, string Transport, IReadOnlyList<LoadStepWire> Load, double RatePerSecond, int PayloadBytes,
    double WarmUpMs, double PollIntervalMs, double LongPollTimeoutMs, int MaxPerPoll, int? OpenModelClients,
    ConnectionSetup? Setup = null)
{
    public static ScenarioWire From(Scenario s) => new(
        s.Name, s.Transport, [.. s.Load.Select(LoadStepWire.From)], s.Feed.RatePerSecond, s.Feed.PayloadBytes,
        s.WarmUp.TotalMilliseconds, s.Client.PollInterval.TotalMilliseconds, s.Client.LongPollTimeout.TotalMilliseconds,
        s.Client.MaxPerPoll, s.OpenModelClients, s.Setup);

    public Scenario ToScenario() => new()
    {
        Name = Name,
        Transport = Transport,
        Load = [.. Load.Select(step => step.ToStep())],
        Feed = new FeedSpec(RatePerSecond, PayloadBytes),
        WarmUp = TimeSpan.FromMilliseconds(WarmUpMs),
        Client = new ClientSpec
        {
            PollInterval = TimeSpan.FromMilliseconds(PollIntervalMs),
            LongPollTimeout = TimeSpan.FromMilliseconds(LongPollTimeoutMs),
            MaxPerPoll = MaxPerPoll,
        },
        OpenModelClients = OpenModelClients,
        // An agent's clients ask for the same heartbeat (and HTTP version, TLS…) as local ones would.
        Setup = Setup ?? ConnectionSetup.Default,
    };
}

/// <summary>One <see cref="LoadSimulation"/> step: <paramref name="Amount"/> is copies (closed) or rate (open).</summary>
internal sealed record LoadStepWire(string Model, int Amount, double IntervalMs, double DuringMs)
{
    public static LoadStepWire From(LoadSimulation step) => step switch
    {
        KeepConstant k => new(k.Model, k.Copies, 0, k.During.TotalMilliseconds),
        RampingConstant r => new(r.Model, r.Copies, 0, r.During.TotalMilliseconds),
        Inject i => new(i.Model, i.Rate, i.Interval.TotalMilliseconds, i.During.TotalMilliseconds),
        RampingInject r => new(r.Model, r.Rate, r.Interval.TotalMilliseconds, r.During.TotalMilliseconds),
        _ => throw new ArgumentException($"Unknown load model {step.GetType().Name}.", nameof(step)),
    };

    public LoadSimulation ToStep()
    {
        var during = TimeSpan.FromMilliseconds(DuringMs);
        var interval = TimeSpan.FromMilliseconds(IntervalMs);
        return Model switch
        {
            nameof(KeepConstant) => new KeepConstant(Amount, during),
            nameof(RampingConstant) => new RampingConstant(Amount, during),
            nameof(Inject) => new Inject(Amount, interval, during),
            nameof(RampingInject) => new RampingInject(Amount, interval, during),
            _ => throw new InvalidOperationException($"Unknown load model '{Model}' from the coordinator."),
        };
    }
}
