using LoadBench.Results;
using LoadBench.Reporting.Charts;

namespace LoadBench.Reporting.Capacity;

/// <summary>Writes a plan's charts, as the report does, for <c>loadbench plan --output</c>.</summary>
public static class CapacityFiles
{
    /// <summary>Writes <c>plots/capacity-*.png</c> and <c>.svg</c> into <paramref name="directory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> WriteCharts(CapacityPlan plan, string runName, string directory, ReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var charts = CapacityCharts.Build(runName, plan, options ?? new ReportOptions());
        if (charts.Count == 0)
        {
            return [];
        }

        var plots = Directory.CreateDirectory(Path.Combine(Path.GetFullPath(directory), ReportWriter.PlotsDirectoryName)).FullName;
        var written = new List<string>();
        foreach (var chart in charts)
        {
            var png = Path.Combine(plots, chart.FileStem + ".png");
            var svg = Path.Combine(plots, chart.FileStem + ".svg");
            AtomicFile.WriteAllBytes(png, chart.Png);
            AtomicFile.WriteAllText(svg, chart.Svg);
            written.Add(png);
            written.Add(svg);
        }

        return written;
    }
}
