using System.Text;

namespace LoadBench.Reporting.Tests.TestSupport;

/// <summary>A minimal RFC 4180 reader, written independently of the writer so it can check it.</summary>
internal static class CsvReader
{
    public static List<List<string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') { inQuotes = false; }
                else { field.Append(c); }
                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    inQuotes = true;
                    break;
                case '"':
                    throw new FormatException($"quote inside an unquoted field at {i}");
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    record.Add(field.ToString());
                    field.Clear();
                    records.Add(record);
                    record = [];
                    i++;
                    break;
                case '\r' or '\n':
                    throw new FormatException($"bare line break at {i}: RFC 4180 records end with CRLF");
                default:
                    field.Append(c);
                    break;
            }
        }

        if (inQuotes) throw new FormatException("unterminated quoted field");
        if (field.Length > 0 || record.Count > 0) { record.Add(field.ToString()); records.Add(record); }
        return records;
    }
}
