using LoadBench.Reporting.Noise;
using LoadBench.Results;

namespace LoadBench.Reporting.Document;

/// <summary>A figure in a table cell: with trials, their median and range — "38.4 (35.1–41)" — else the value.</summary>
internal static class FigureCells
{
    public const string NotApplicable = "—";

    public static string Cell(ScenarioResult scenario, Func<ScenarioResult, double?> figure, Func<double, string> format)
    {
        if (ScenarioSpread.OfTrials(scenario, figure) is { } spread)
        {
            return $"{format(spread.Value)} ({format(spread.Low)}–{format(spread.High)})";
        }

        return figure(scenario) is { } value ? format(value) : NotApplicable;
    }

    /// <summary>A latency percentile's 95% interval over the run's seconds ("35.1–41"), or "—" without one (or with trials).</summary>
    public static string Interval(ScenarioResult scenario, double percentile) =>
        ScenarioSpread.OfLatency(scenario, percentile) is { Basis: SpreadBasis.Seconds } spread ? Format.MsRange(spread.Low, spread.High) : NotApplicable;

    /// <summary>What the brackets in a setup's table mean, or null when there are none.</summary>
    public static string? Legend(IReadOnlyList<ScenarioResult> scenarios)
    {
        var trials = scenarios.Where(ScenarioSpread.HasTrials).Select(s => s.Trials!.Count).Distinct().Order().ToList();
        if (trials.Count > 0)
        {
            var count = trials.Count == 1 ? Format.Count(trials[0]) : $"{Format.Count(trials[0])}–{Format.Count(trials[^1])}";
            return $"Each scenario ran {count} times, interleaved with the other transports of this setup. Each figure is the median of its trials, " +
                "with the lowest and highest trial in brackets; the charts pool every trial's events (histograms added), and the spread chart shows each trial.";
        }

        var seconds = scenarios.Select(s => ScenarioSpread.OfLatency(s, 99)).OfType<Spread>().Select(s => s.Count).Distinct().Order().ToList();
        if (seconds.Count > 0)
        {
            var count = seconds.Count == 1 ? Format.Count(seconds[0]) : $"{Format.Count(seconds[0])}–{Format.Count(seconds[^1])}";
            return $"One run. The 95% intervals of p50 and p99 come from resampling its {count} one-second histograms (a bootstrap{Insights.LowestP99.Rough(seconds[^1])}): they show the noise " +
                $"between the seconds of this run, not the larger swings between runs — run with --repeat {Insights.LowestP99.RecommendedTrials} for those.";
        }

        return null;
    }
}
