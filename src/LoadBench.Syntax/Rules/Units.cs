using System.Globalization;

namespace LoadBench.Syntax.Rules;

/// <summary>Reads the units thresholds may write and prints values the same way everywhere.</summary>
public static class Units
{
    /// <summary>The units a threshold value of this kind may carry ("" = none); the first is how we print it.</summary>
    public static string Allowed(MetricUnit unit) => unit switch
    {
        MetricUnit.Milliseconds => "ms, s or us (a unit is required: 50ms)",
        MetricUnit.BytesPerEvent => "no unit, B or KiB",
        MetricUnit.Count => "no unit (a whole number)",
        MetricUnit.PerSecond => "no unit or /s",
        MetricUnit.Fraction => "% (a percentage is required: 0.1%)",
        MetricUnit.CpuMsPer1000Events => "no unit or ms",
        _ => "no unit or KiB",
    };

    /// <summary>Converts a written number and unit to the metric's own unit; null when the unit does not fit.</summary>
    public static double? ToMetricUnit(double value, string unit, MetricUnit kind)
    {
        ArgumentNullException.ThrowIfNull(unit);
        return (kind, unit) switch
        {
            (MetricUnit.Milliseconds, "ms") => value,
            (MetricUnit.Milliseconds, "s") => value * 1000,
            (MetricUnit.Milliseconds, "us" or "µs") => value / 1000,
            (MetricUnit.BytesPerEvent, "" or "B") => value,
            (MetricUnit.BytesPerEvent, "KiB") => value * 1024,
            (MetricUnit.Count, "") when value == Math.Floor(value) => value,
            (MetricUnit.PerSecond, "" or "/s") => value,
            (MetricUnit.Fraction, "%") => value / 100,
            (MetricUnit.CpuMsPer1000Events, "" or "ms") => value,
            (MetricUnit.KiB, "" or "KiB") => value,
            _ => null,
        };
    }

    public static string Format(double value, MetricUnit unit)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "∞";
        }

        return unit switch
        {
            MetricUnit.Milliseconds => Invariant($"{value:0.###} ms"),
            MetricUnit.BytesPerEvent => Invariant($"{value:0.#} B"),
            MetricUnit.Count => Invariant($"{value:0}"),
            MetricUnit.PerSecond => Invariant($"{value:0.#}/s"),
            MetricUnit.Fraction => Invariant($"{value * 100:0.###}%"),
            MetricUnit.CpuMsPer1000Events => Invariant($"{value:0.#} ms"),
            _ => Invariant($"{value:0.#} KiB"),
        };
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
