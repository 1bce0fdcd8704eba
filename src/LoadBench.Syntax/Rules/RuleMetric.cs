namespace LoadBench.Syntax.Rules;

/// <summary>
/// A metric a rule may name, as the file format knows it: its stable hierarchical name (<c>latency/p99</c>),
/// its unit and which way is worse. Its value in one result is read by LoadBench.Results's ResultMetrics (the gate and
/// the limit search share it); pooling trials is the gate's MetricCatalog.
/// </summary>
/// <param name="Name">The metric's path, e.g. <c>latency/p99</c>.</param>
/// <param name="Unit">What its numbers are.</param>
/// <param name="Worse">Which direction is a regression.</param>
/// <param name="Description">One line for docs and errors.</param>
public sealed record RuleMetric(string Name, MetricUnit Unit, Worse Worse, string Description);
