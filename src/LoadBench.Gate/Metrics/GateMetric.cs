using LoadBench.Results;
using LoadBench.Syntax.Rules;

namespace LoadBench.Gate.Metrics;

/// <summary>
/// One metric the gate can judge, read from a scenario's result. Its <see cref="Name"/> is hierarchical and
/// stable (<c>latency/p99</c>, <c>bytes/headers</c>); with the transport in front it names one figure of a
/// run (<c>sse/latency/p99</c>) in every output.
/// </summary>
/// <param name="Name">The metric's path, e.g. <c>latency/p99</c>.</param>
/// <param name="Unit">What its numbers are.</param>
/// <param name="Worse">Which direction is a regression.</param>
/// <param name="Description">One line for docs and errors.</param>
/// <param name="PerTrial">The value in one trial's result; null when the transport does not have it (request
/// latency of SSE, say).</param>
/// <param name="Pooled">The value of all trials taken as one run (histograms added, counts summed, ratios of
/// sums); null when no trial has it.</param>
public sealed record GateMetric(
    string Name,
    MetricUnit Unit,
    Worse Worse,
    string Description,
    Func<ScenarioResult, double?> PerTrial,
    Func<IReadOnlyList<ScenarioResult>, double?> Pooled);
