using LoadBench.Reporting.Capacity;
using LoadBench.Reporting.Charts;
using LoadBench.Results;

namespace LoadBench.Reporting.Document;

/// <summary>
/// The report's "Capacity planning" section: every transport projected to <see cref="CapacityRequest.ReportSubscribers"/>
/// subscribers at its measured rate and payload, with the default instance size. A transport without the figures
/// is named with why, not projected.
/// </summary>
internal static class CapacitySection
{
    public const string Title = "Capacity planning";

    /// <summary>Appends the section to <paramref name="blocks"/>; charts go through <paramref name="addChart"/> (which appends them too).</summary>
    public static void Add(List<Block> blocks, ResultsDocument results, string runName, ReportOptions options, Action<ChartImage?> addChart)
    {
        var (bases, problems) = CapacityBasis.Choose(results);
        if (bases.Count == 0 && problems.Count == 0)
        {
            return;
        }

        var plan = CapacityPlanner.Plan(bases, new CapacityRequest { Subscribers = CapacityRequest.ReportSubscribers });
        blocks.Add(new Heading(2, Title));
        blocks.Add(new Paragraph(CapacityText.Summary(plan) +
            " For another scale or instance size: loadbench plan RESULTS.json --subscribers N --rate R --payload-bytes P."));
        if (plan.Projections.Count > 0)
        {
            blocks.Add(new Table(CapacityText.Header(plan.Request), CapacityText.Rows(plan)));
        }

        foreach (var problem in problems)
        {
            blocks.Add(new Paragraph("Not projected: " + problem + "."));
        }

        if (plan.Projections.Count == 0)
        {
            return;
        }

        if (options.IncludeCharts)
        {
            foreach (var chart in CapacityCharts.Build(runName, plan, options))
            {
                addChart(chart);
            }
        }

        blocks.Add(new Paragraph("Assumptions: " + string.Join(" ", CapacityText.Assumptions(plan))));
        if (plan.Warnings.Count > 0)
        {
            blocks.Add(new Paragraph("Warning: " + string.Join(" ", plan.Warnings)));
        }
    }
}
