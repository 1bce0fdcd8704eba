using System.Text;

namespace LoadBench.Reporting.Csv;

/// <summary>RFC 4180 records: CRLF line ends; a field with a comma, quote, CR or LF is quoted, quotes doubled.</summary>
internal static class Rfc4180
{
    private static readonly char[] NeedsQuoting = [',', '"', '\r', '\n'];

    public static string Field(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IndexOfAny(NeedsQuoting) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static void AppendRecord(StringBuilder builder, IEnumerable<string> fields)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AppendJoin(',', fields.Select(Field)).Append("\r\n");
    }
}
