namespace LoadBench.Reporting.Comparison;

/// <summary>A scenario (same name and transport) found in both results, metric by metric.</summary>
public sealed record ScenarioComparison(string Scenario, string Transport, IReadOnlyList<MetricComparison> Metrics);
