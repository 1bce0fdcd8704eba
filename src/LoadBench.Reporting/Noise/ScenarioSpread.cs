using System.Runtime.CompilerServices;
using LoadBench.Results;
using LoadBench.Statistics;

namespace LoadBench.Reporting.Noise;

/// <summary>
/// The spread of a scenario's figures: across its trials when it has them (<c>loadbench run --repeat N</c>), else —
/// for latency percentiles — a bootstrap interval over the run's own seconds.
/// </summary>
internal static class ScenarioSpread
{
    /// <summary>Fewest trials that make a spread (and a test): one trial is one run.</summary>
    public const int MinTrials = 2;

    // Decoding every second's histogram is the costly part; tables, charts and sentences ask for the same scenario.
    private static readonly ConditionalWeakTable<ScenarioResult, StrongBox<SecondsBootstrap?>> Bootstraps = [];

    /// <summary>Whether the scenario ran as repeated trials.</summary>
    public static bool HasTrials(ScenarioResult scenario) => scenario.Trials is { Count: >= MinTrials };

    /// <summary>A figure's value in each trial, in trial order (trials without a value — nothing delivered — are left
    /// out), or null when the scenario has no trials or fewer than <see cref="MinTrials"/> values.</summary>
    public static IReadOnlyList<double>? PerTrial(ScenarioResult scenario, Func<ScenarioResult, double?> figure)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(figure);
        if (!HasTrials(scenario))
        {
            return null;
        }

        var values = scenario.Trials!.Select(figure).OfType<double>().ToList();
        return values.Count >= MinTrials ? values : null;
    }

    /// <summary>Median and range of a figure across the trials, or null without trials.</summary>
    public static Spread? OfTrials(ScenarioResult scenario, Func<ScenarioResult, double?> figure) =>
        PerTrial(scenario, figure) is { } values
            ? new Spread(Sample.Median(values), values.Min(), values.Max(), SpreadBasis.Trials, values.Count)
            : null;

    /// <summary>A publish → receive latency percentile as read from a result (null when nothing was delivered).</summary>
    public static double? Latency(ScenarioResult scenario, double percentile)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var summary = scenario.Latency.Event;
        if (summary.Count == 0)
        {
            return null;
        }

        return percentile switch
        {
            50 => summary.P50Ms,
            90 => summary.P90Ms,
            99 => summary.P99Ms,
            99.9 => summary.P999Ms,
            _ => LatencySummaries.PercentileMs(HistogramCodec.Decode(summary.Histogram), percentile),
        };
    }

    /// <summary>
    /// A latency percentile with its spread: across trials (median, lowest, highest), else the run's own value with
    /// the 95% bootstrap interval over its seconds; null when neither exists (one run without per-second
    /// histograms) or nothing was delivered.
    /// </summary>
    public static Spread? OfLatency(ScenarioResult scenario, double percentile)
    {
        if (HasTrials(scenario))
        {
            return OfTrials(scenario, t => Latency(t, percentile));
        }

        if (Latency(scenario, percentile) is not { } value || Bootstrap(scenario) is not { } bootstrap || bootstrap.Interval(percentile) is not { } interval)
        {
            return null;
        }

        return new Spread(value, interval.Low, interval.High, SpreadBasis.Seconds, bootstrap.Seconds);
    }

    private static SecondsBootstrap? Bootstrap(ScenarioResult scenario) =>
        Bootstraps.GetValue(scenario, s => new StrongBox<SecondsBootstrap?>(SecondsBootstrap.From(s.TimeSeries))).Value;
}
