using System.Text;
using LoadBench.Gate.Verdicts;

namespace LoadBench.Gate.Output;

/// <summary>The gate's verdicts as an aligned plain-text table (CI logs have no colours to lean on).</summary>
public static class ConsoleTable
{
    public static string Render(GateReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Checks.Select(CheckCells.Row).ToList();
        var widths = CheckCells.Headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        AppendRow(text, CheckCells.Headers, widths);
        AppendRow(text, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        text.AppendLine();
        foreach (var check in report.Checks.Where(c => c.Verdict is Verdict.Fail or Verdict.NotSignificant))
        {
            text.Append(check.Verdict == Verdict.Fail ? "FAIL " : "note ").Append(CheckCells.Title(check)).Append(": ").AppendLine(check.Explanation);
        }

        foreach (var warning in report.Warnings)
        {
            text.Append("warning: ").AppendLine(warning);
        }

        text.AppendLine(CheckCells.Summary(report));
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            // Text columns (scenario, metric, transport) align left, numbers right.
            text.Append(i < 3 ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
            text.Append(i == cells.Length - 1 ? "" : "  ");
        }

        text.Append('\n');
    }
}
