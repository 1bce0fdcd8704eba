using ScottPlot;
using ScottPlot.TickGenerators;

namespace LoadBench.Reporting.Charts;

/// <summary>
/// A latency axis, linear or log10. Transports differ by orders of magnitude (a poll interval against a
/// pushed event), and on a linear axis the fast ones become a flat line at zero; when the values in one chart
/// span more than <see cref="LogThreshold"/>×, the axis turns logarithmic and says so in its label.
/// </summary>
internal sealed class YScale
{
    public const double LogThreshold = 20;

    // 1 µs, the smallest latency a histogram records: log10 needs a floor above zero.
    private const double FloorMs = 0.001;

    private readonly double _min;
    private readonly double _max;

    private YScale(bool isLog, double min, double max)
    {
        IsLog = isLog;
        _min = min;
        _max = max;
    }

    public bool IsLog { get; }

    public static YScale For(IEnumerable<double> values)
    {
        var list = values.Where(v => double.IsFinite(v)).ToList();
        if (list.Count == 0)
        {
            return new YScale(false, 0, 1);
        }

        var max = list.Max();
        var positiveMin = list.Where(v => v > 0).DefaultIfEmpty(max).Min();
        var isLog = max > 0 && positiveMin > 0 && max / positiveMin > LogThreshold;
        return new YScale(isLog, Math.Max(positiveMin, FloorMs), max);
    }

    public double Map(double ms) => IsLog ? Math.Log10(Math.Max(ms, FloorMs)) : ms;

    public double[] Map(IEnumerable<double> ms) => [.. ms.Select(Map)];

    public string Label(string label) => IsLog ? $"{label}, log scale" : label;

    /// <summary>Sets the y limits and, on a log axis, ticks at 1-2-5 steps labelled in milliseconds.</summary>
    public void Apply(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        if (!IsLog)
        {
            plot.Axes.SetLimitsY(0, ChartCanvas.Headroom(_max));
            return;
        }

        var low = Math.Log10(_min);
        var high = Math.Log10(_max);
        var ticks = new NumericManual();
        for (var decade = (int)Math.Floor(low); decade <= (int)Math.Ceiling(high); decade++)
        {
            foreach (var step in new[] { 1.0, 2.0, 5.0 })
            {
                var value = step * Math.Pow(10, decade);
                var y = Math.Log10(value);
                if (y >= low - 0.35 && y <= high + 0.35)
                {
                    ticks.AddMajor(y, Format.Ms(value));
                }
            }
        }

        plot.Axes.Left.TickGenerator = ticks;
        var span = Math.Max(high - low, 0.5);
        plot.Axes.SetLimitsY(low - span * 0.08, high + span * 0.15);
    }
}
