using System.Text.Json.Serialization;

namespace LoadBench.Results;

/// <summary>
/// <c>loadbench limits</c>: one limit search per scenario entry and transport — the load stepped up ×2 until
/// the SLO broke, then bisected to within 10 % (docs/results-schema.md, "limits"). Each step's full result is
/// also in <see cref="ResultsDocument.Scenarios"/>, under <see cref="LimitStep.Scenario"/>.
/// </summary>
public sealed record LimitSearchResult
{
    /// <summary>The searched scenario's name (one transport).</summary>
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    [JsonPropertyName("transport")] public required string Transport { get; init; }
    /// <summary><c>copies</c> or <c>feed.ratePerSecond</c>.</summary>
    [JsonPropertyName("vary")] public required string Vary { get; init; }
    [JsonPropertyName("from")] public required double From { get; init; }
    [JsonPropertyName("to")] public required double To { get; init; }
    /// <summary>The SLO's rules as written, e.g. <c>latency/p99 &lt;= 250ms</c>.</summary>
    [JsonPropertyName("slo")] public required IReadOnlyList<string> Slo { get; init; }
    /// <summary>Steps in the order they ran.</summary>
    [JsonPropertyName("steps")] public required IReadOnlyList<LimitStep> Steps { get; init; }
    /// <summary>Highest level that met the SLO; null when even <see cref="From"/> broke it (or nothing ran).</summary>
    [JsonPropertyName("highestMet")] public double? HighestMet { get; init; }
    /// <summary>Lowest level that broke it; null when the SLO held up to <see cref="To"/> ("not reached").</summary>
    [JsonPropertyName("firstFailed")] public double? FirstFailed { get; init; }
    /// <summary>The first rule that broke at <see cref="FirstFailed"/>.</summary>
    [JsonPropertyName("brokenRule")] public string? BrokenRule { get; init; }
    /// <summary>The most saturated resource at <see cref="FirstFailed"/> (or at the last step when not reached):
    /// <c>target CPU</c>, <c>engine CPU</c>, <c>open files</c> or <c>connect errors</c>.</summary>
    [JsonPropertyName("bottleneck")] public string? Bottleneck { get; init; }
    /// <summary>Whose limit it is, in words: machine-bound, engine-bound or the target's.</summary>
    [JsonPropertyName("label")] public required string Label { get; init; }
    /// <summary>False when the search was stopped (Ctrl-C) before it finished: the steps are those done.</summary>
    [JsonPropertyName("complete")] public required bool Complete { get; init; }
}

/// <summary>One bounded run of the scenario at one level.</summary>
public sealed record LimitStep
{
    [JsonPropertyName("level")] public required double Level { get; init; }
    /// <summary>The step's entry in <see cref="ResultsDocument.Scenarios"/>.</summary>
    [JsonPropertyName("scenario")] public required string Scenario { get; init; }
    [JsonPropertyName("metSlo")] public required bool MetSlo { get; init; }
    /// <summary>The first rule broken, with the value read, e.g. <c>latency/p99 &lt;= 250ms (was 412.3 ms)</c>.</summary>
    [JsonPropertyName("brokenRule")] public string? BrokenRule { get; init; }
    [JsonPropertyName("p99Ms")] public required double P99Ms { get; init; }
    [JsonPropertyName("eventsPerSecond")] public required double EventsPerSecond { get; init; }
    /// <summary>Target CPU in cores (its CPU time ÷ the step's wall time).</summary>
    [JsonPropertyName("targetCores")] public required double TargetCores { get; init; }
    /// <summary>This engine process's CPU in cores over the same window as <see cref="TargetCores"/>; with load agents
    /// (<c>limits --nats</c>) their processes' CPU, summed (0 when no agent reported it).</summary>
    [JsonPropertyName("engineCores")] public required double EngineCores { get; init; }
    /// <summary>Share (0..1) of the whole machine's CPU busy over the same window, every process counted; absent where
    /// unknown. Above 0.9 with target and engine below it, other processes took the cores.</summary>
    [JsonPropertyName("machineBusy")] public double? MachineBusy { get; init; }
    /// <summary>Connects refused for want of file descriptors (<c>fd_limit</c>).</summary>
    [JsonPropertyName("fdLimitErrors")] public required long FdLimitErrors { get; init; }
    /// <summary>Connects refused or reset (<c>connect_refused</c>, <c>connection_reset</c>).</summary>
    [JsonPropertyName("connectErrors")] public required long ConnectErrors { get; init; }
}
