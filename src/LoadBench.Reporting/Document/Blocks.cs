using LoadBench.Reporting.Charts;

namespace LoadBench.Reporting.Document;

/// <summary>
/// A report as a list of blocks, built once from the results and rendered twice (Markdown and HTML), so the
/// two reports can never say different things.
/// </summary>
internal abstract record Block;

internal sealed record Heading(int Level, string Text) : Block
{
    /// <summary>An id for in-page links: lower case, letters and digits, dashes between words.</summary>
    public string Anchor => new string([.. Text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
}

internal sealed record Paragraph(string Text) : Block;

/// <summary>A warning set apart at the top of the report (e.g. an incomplete run): a title and its lines.</summary>
internal sealed record Banner(string Title, IReadOnlyList<string> Lines) : Block;

/// <summary>A table; the first column holds labels, the others numbers (right-aligned).</summary>
/// <param name="ColumnTransports">Per column, the transport it shows (for colour swatches in HTML), or null.</param>
internal sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string?>? ColumnTransports = null) : Block;

internal sealed record Figure(ChartImage Chart) : Block;

internal sealed record ReportModel(string Title, IReadOnlyList<Block> Blocks, IReadOnlyList<ChartImage> Charts);
