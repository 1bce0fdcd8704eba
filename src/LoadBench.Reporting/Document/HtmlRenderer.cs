using System.Net;
using System.Text;

namespace LoadBench.Reporting.Document;

/// <summary>
/// <c>report.html</c>: one self-contained file — inline CSS, charts as PNG <c>data:</c> URIs, no script and no
/// external link — so it opens offline, from a mail attachment or a CI artifact.
/// </summary>
internal static class HtmlRenderer
{
    private const string Style = """
        :root { color-scheme: light; }
        body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.5rem; color: #1a1a1a; line-height: 1.5; }
        h1 { font-size: 1.8rem; margin-bottom: .5rem; }
        h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 1px solid #ddd; padding-bottom: .25rem; }
        p { max-width: 80ch; }
        table { border-collapse: collapse; margin: 1rem 0; font-size: .92rem; display: block; overflow-x: auto; }
        th, td { border: 1px solid #d0d0d0; padding: .3rem .6rem; }
        th { background: #f4f4f4; text-align: left; vertical-align: bottom; }
        td { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
        td:first-child { text-align: left; font-weight: 600; }
        tr:nth-child(even) td { background: #fafafa; }
        .swatch { display: inline-block; width: .85em; height: .85em; border-radius: 2px; margin-right: .35em; vertical-align: -0.05em; }
        figure { margin: 1.5rem 0; }
        figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { color: #555; font-size: .9rem; }
        nav ul { columns: 2; }
        .banner { border: 2px solid #b45309; background: #fff7ed; padding: .6rem 1rem; margin: 1rem 0; max-width: 80ch; }
        .banner strong { color: #9a3412; }
        .banner p { margin: .4rem 0; }
        """;

    public static string Render(ReportModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(model.Title)).Append("</title>\n<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(Encode(model.Title)).Append("</h1>\n");

        var headings = model.Blocks.OfType<Heading>().Where(h => h.Level == 2).ToList();
        if (headings.Count > 2)
        {
            html.Append("<nav><ul>\n");
            foreach (var heading in headings)
            {
                html.Append("<li><a href=\"#").Append(heading.Anchor).Append("\">").Append(Encode(heading.Text)).Append("</a></li>\n");
            }

            html.Append("</ul></nav>\n");
        }

        foreach (var block in model.Blocks)
        {
            switch (block)
            {
                case Heading heading:
                    html.Append("<h").Append(heading.Level).Append(" id=\"").Append(heading.Anchor).Append("\">")
                        .Append(Encode(heading.Text)).Append("</h").Append(heading.Level).Append(">\n");
                    break;
                case Paragraph paragraph:
                    html.Append("<p>").Append(Encode(paragraph.Text)).Append("</p>\n");
                    break;
                case Banner banner:
                    html.Append("<div class=\"banner\" role=\"alert\">\n<p><strong>⚠ ").Append(Encode(banner.Title)).Append("</strong></p>\n");
                    foreach (var line in banner.Lines)
                    {
                        html.Append("<p>").Append(Encode(line)).Append("</p>\n");
                    }

                    html.Append("</div>\n");
                    break;
                case Table table:
                    AppendTable(html, table);
                    break;
                case Figure figure:
                    var chart = figure.Chart;
                    html.Append("<figure>\n<img src=\"data:image/png;base64,").Append(Convert.ToBase64String(chart.Png))
                        .Append("\" width=\"").Append(chart.Width).Append("\" height=\"").Append(chart.Height)
                        .Append("\" alt=\"").Append(Encode(chart.AltText)).Append("\">\n<figcaption>")
                        .Append(Encode(chart.Title)).Append(" (also <code>").Append(Encode(chart.SvgRelativePath)).Append("</code>)</figcaption>\n</figure>\n");
                    break;
                default:
                    throw new InvalidOperationException($"Unknown block {block.GetType().Name}");
            }
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendTable(StringBuilder html, Table table)
    {
        html.Append("<table>\n<thead><tr>");
        for (var i = 0; i < table.Header.Count; i++)
        {
            html.Append("<th scope=\"col\">");
            if (table.ColumnTransports is { } transports && i < transports.Count && transports[i] is { } transport)
            {
                // A swatch in the transport's chart colour, so the tables and charts read together.
                html.Append("<span class=\"swatch\" style=\"background:").Append(TransportColors.Hex(transport)).Append("\"></span>");
            }

            html.Append(Encode(table.Header[i])).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(Encode(cell)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
