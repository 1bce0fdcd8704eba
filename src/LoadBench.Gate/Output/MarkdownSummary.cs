using System.Globalization;
using System.Text;
using LoadBench.Gate.Verdicts;

namespace LoadBench.Gate.Output;

/// <summary>The verdicts as Markdown for a CI job summary (append it to <c>$GITHUB_STEP_SUMMARY</c>).</summary>
public static class MarkdownSummary
{
    public static string Render(GateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append("## LoadBench gate `").Append(report.Name).Append("`: ").AppendLine(report.Passed ? "✅ pass" : "❌ FAIL");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{report.CurrentTrials} trial(s) now against {(report.BaselineTrials == 0 ? "no baseline" : $"{report.BaselineTrials} baseline trial(s)")}; " +
            $"a relative threshold fails only when the median change is beyond its limit and a one-sided Mann–Whitney U test gives p ≤ {report.Alpha}.");
        text.AppendLine();
        foreach (var warning in report.Warnings)
        {
            text.Append("> ⚠️ ").AppendLine(Escape(warning));
            text.AppendLine();
        }

        text.Append("| ").AppendJoin(" | ", CheckCells.Headers).AppendLine(" |");
        text.Append('|').AppendJoin("", CheckCells.Headers.Select((_, i) => i < 3 ? ":---|" : "---:|")).AppendLine();
        foreach (var check in report.Checks)
        {
            var cells = CheckCells.Row(check).Select(Escape).ToArray();
            if (check.Verdict == Verdict.Fail)
            {
                cells[^1] = $"**{cells[^1]}**";
            }

            text.Append("| ").AppendJoin(" | ", cells).AppendLine(" |");
        }

        var notes = report.Checks.Where(c => c.Verdict is Verdict.Fail or Verdict.NotSignificant).ToList();
        if (notes.Count > 0)
        {
            text.AppendLine();
            foreach (var check in notes)
            {
                text.Append("- ").Append(check.Verdict == Verdict.Fail ? "**FAIL** " : "").Append('`').Append(CheckCells.Title(check)).Append("`: ")
                    .AppendLine(Escape(check.Explanation));
            }
        }

        text.AppendLine();
        text.AppendLine(CheckCells.Summary(report));
        return text.ToString();
    }

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
