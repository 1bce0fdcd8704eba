namespace LoadBench.Engine.Scenarios;

/// <summary>
/// A scenario as far as a file could say it: null where a field is missing or unreadable (already reported).
/// <see cref="ScenarioValidator"/> checks every rule whose inputs are known, so a file with a missing field
/// still hears about its unknown transport and its negative copies in the same run.
/// </summary>
internal sealed record ScenarioDraft
{
    public string? Name { get; init; }

    public string? Transport { get; init; }

    /// <summary>Null: no readable load at all; a null step: that step could not be read.</summary>
    public IReadOnlyList<LoadSimulation?>? Load { get; init; }

    public double? RatePerSecond { get; init; }

    public int? PayloadBytes { get; init; }

    public TimeSpan? WarmUp { get; init; }

    public TimeSpan? PollInterval { get; init; }

    public TimeSpan? LongPollTimeout { get; init; }

    public int? MaxPerPoll { get; init; }

    /// <summary>Null when not set (or unreadable): there is nothing to check.</summary>
    public int? OpenModelClients { get; init; }

    /// <summary>Null: no faults block; a null entry: that fault could not be read.</summary>
    public IReadOnlyList<ScenarioFault?>? Faults { get; init; }

    /// <summary>Null when any setup value could not be read (reported already): the setup rules are skipped.</summary>
    public ConnectionSetup? Setup { get; init; }

    public static ScenarioDraft Of(Scenario scenario) => new()
    {
        Name = scenario.Name,
        Transport = scenario.Transport,
        Load = scenario.Load,
        RatePerSecond = scenario.Feed.RatePerSecond,
        PayloadBytes = scenario.Feed.PayloadBytes,
        WarmUp = scenario.WarmUp,
        PollInterval = scenario.Client.PollInterval,
        LongPollTimeout = scenario.Client.LongPollTimeout,
        MaxPerPoll = scenario.Client.MaxPerPoll,
        OpenModelClients = scenario.OpenModelClients,
        Faults = scenario.Faults,
        Setup = scenario.Setup,
    };
}
