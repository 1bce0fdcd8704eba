using System.Text;

namespace LoadBench.Reporting.Document;

/// <summary><c>report.md</c>: GitHub-flavoured Markdown; charts are linked from <c>plots/</c> beside it.</summary>
internal static class MarkdownRenderer
{
    public static string Render(ReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var md = new StringBuilder();
        md.Append("# ").Append(Escape(model.Title)).Append("\n\n");
        foreach (var block in model.Blocks)
        {
            switch (block)
            {
                case Heading heading:
                    md.Append('#', heading.Level).Append(' ').Append(Escape(heading.Text)).Append("\n\n");
                    break;
                case Paragraph paragraph:
                    md.Append(Escape(paragraph.Text)).Append("\n\n");
                    break;
                case Banner banner:
                    md.Append("> **⚠ ").Append(Escape(banner.Title)).Append("**\n");
                    foreach (var line in banner.Lines)
                    {
                        md.Append(">\n> ").Append(Escape(line)).Append('\n');
                    }

                    md.Append('\n');
                    break;
                case Table table:
                    AppendTable(md, table);
                    break;
                case Figure figure:
                    md.Append("![").Append(Escape(figure.Chart.AltText)).Append("](").Append(figure.Chart.PngRelativePath).Append(")\n\n");
                    md.Append('*').Append(Escape(figure.Chart.Title)).Append("* — [SVG](").Append(figure.Chart.SvgRelativePath).Append(")\n\n");
                    break;
                default:
                    throw new InvalidOperationException($"Unknown block {block.GetType().Name}");
            }
        }

        return md.ToString();
    }

    private static void AppendTable(StringBuilder md, Table table)
    {
        md.Append("| ").AppendJoin(" | ", table.Header.Select(Cell)).Append(" |\n");
        md.Append('|').AppendJoin('|', table.Header.Select((_, i) => i == 0 ? ":---" : "---:")).Append("|\n");
        foreach (var row in table.Rows)
        {
            md.Append("| ").AppendJoin(" | ", row.Select(Cell)).Append(" |\n");
        }

        md.Append('\n');
    }

    private static string Cell(string text) => Escape(text).Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>Keeps Markdown from reading scenario names like <c>sse_100_clients</c> as emphasis.</summary>
    private static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal)
            .Replace("*", "\\*", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal);
}
