namespace LoadBench.Reporting.Comparison;

/// <summary>One metric of one scenario in two results, and how it moved.</summary>
/// <param name="Metric">For people, with its unit: "p99 latency (ms)".</param>
/// <param name="Unit">"ms", "B", "KiB", "%", "/s" or "count": how the values are formatted.</param>
/// <param name="Baseline">The value in the first (baseline) results; null when it was not measured there.</param>
/// <param name="Candidate">The value in the second results; null when it was not measured there.</param>
/// <param name="LowerIsBetter">True for latency, bytes, loss, errors and cost; false for throughput; null where
/// neither direction is better (requests/s: more polls cost more but an open model drives more on purpose).</param>
public sealed record MetricComparison(string Metric, string Unit, double? Baseline, double? Candidate, bool? LowerIsBetter)
{
    /// <summary>Candidate − baseline; null unless both exist.</summary>
    public double? Delta => Baseline is { } a && Candidate is { } b ? b - a : null;

    /// <summary>The change relative to the baseline in percent; null unless both exist and the baseline is not 0 (0 → 0 is 0%).</summary>
    public double? DeltaPercent => Baseline is { } a && Candidate is { } b
        ? a != 0 ? (b - a) / Math.Abs(a) * 100 : b == 0 ? 0 : null
        : null;

    /// <summary>"better", "worse" or "same" by the metric's direction; null unless both exist. One run's
    /// difference includes run-to-run noise: this says which way a number moved, not that the move is real.</summary>
    public string? Direction => (Delta, LowerIsBetter) switch
    {
        (null, _) or (_, null) => null,
        (0, _) => "same",
        (< 0, true) or (> 0, false) => "better",
        _ => "worse",
    };
}
