using LoadBench.Contracts;
using LoadBench.Reporting.Capacity;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace LoadBench.Reporting.Charts;

/// <summary>A capacity plan as bars per transport: the target's cores, and the instances it takes.</summary>
internal static class CapacityCharts
{
    public static IReadOnlyList<ChartImage> Build(string runName, CapacityPlan plan, ReportOptions options)
    {
        if (plan.Projections.Count == 0)
        {
            return [];
        }

        var scale = $"{Format.Count(plan.Request.Subscribers)} subscribers";
        return
        [
            Bars(runName, plan, options, p => p.TargetCores, $"Projected target CPU for {scale}", "Target cores", Format.Rate, "capacity-cores"),
            Bars(runName, plan, options, p => p.Instances,
                $"Projected instances ({Format.Rate(plan.Request.InstanceCores)} cores, {Format.Rate(plan.Request.InstanceMemoryGiB)} GiB) for {scale}",
                "Instances", v => Format.Count((long)v), "capacity-instances"),
        ];
    }

    private static ChartImage Bars(
        string runName, CapacityPlan plan, ReportOptions options, Func<CapacityProjection, double> value,
        string what, string yLabel, Func<double, string> label, string stem)
    {
        using var plot = ChartCanvas.Create($"{runName} · {what}", "Transport", yLabel);
        var bars = new List<Bar>();
        var ticks = new NumericManual();
        var projections = plan.Projections;
        for (var i = 0; i < projections.Count; i++)
        {
            var v = value(projections[i]);
            bars.Add(new Bar { Position = i, Value = v, FillColor = TransportColors.Color(projections[i].Basis.Transport), Label = label(v) });
            ticks.AddMajor(i, TransportIds.DisplayName(projections[i].Basis.Transport));
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, projections.Count - 0.4);
        plot.Axes.SetLimitsY(0, ChartCanvas.Headroom(projections.Max(value)));
        var alt = $"{what}: " + string.Join("; ", projections.Select(p => $"{TransportIds.DisplayName(p.Basis.Transport)} {label(value(p))}")) + ".";
        return ChartCanvas.Render(plot, stem, what, alt, options);
    }
}
