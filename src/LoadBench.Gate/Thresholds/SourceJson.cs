using System.Text;
using System.Text.Json;

namespace LoadBench.Gate.Thresholds;

/// <summary>A JSON value with the place it was written (1-based line and column) and its path.</summary>
internal abstract record SourceNode(string Path, int Line, int Column);

internal sealed record SourceObject(string Path, int Line, int Column, IReadOnlyList<SourceProperty> Properties) : SourceNode(Path, Line, Column);

internal sealed record SourceProperty(string Name, int Line, int Column, SourceNode Value);

internal sealed record SourceArray(string Path, int Line, int Column, IReadOnlyList<SourceNode> Items) : SourceNode(Path, Line, Column);

/// <summary>A string, number, true, false or null; <see cref="Text"/> is the string's value or the raw token.</summary>
internal sealed record SourceValue(string Path, int Line, int Column, JsonTokenType Kind, string Text) : SourceNode(Path, Line, Column);

internal sealed class SourceJsonException(string message, int line, int column) : Exception(message)
{
    public int Line { get; } = line;
    public int Column { get; } = column;
}

/// <summary>
/// Reads a scenario file into a small tree that remembers positions, so a threshold error can name its line.
/// The engine has its own reader for the rest of the file; the gate does not reference the engine, and this
/// reads the same JSON dialect (comments and trailing commas allowed).
/// </summary>
internal static class SourceJson
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static SourceNode Parse(byte[] bytes)
    {
        var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var lines = new LineMap(bytes);
        var reader = new Utf8JsonReader(bytes.AsSpan(bom), Options);
        try
        {
            if (!reader.Read())
            {
                throw new SourceJsonException("the file is empty", 1, 1);
            }

            return Read(ref reader, "", lines, bom);
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            throw new SourceJsonException($"malformed JSON: {(cut > 0 ? message[..cut].TrimEnd() : message)}",
                (int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1);
        }
    }

    private static SourceNode Read(ref Utf8JsonReader reader, string path, LineMap lines, int bom)
    {
        var (line, column) = lines.At(bom + (int)reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var properties = new List<SourceProperty>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    var (nameLine, nameColumn) = lines.At(bom + (int)reader.TokenStartIndex);
                    reader.Read();
                    properties.Add(new SourceProperty(name, nameLine, nameColumn, Read(ref reader, path.Length == 0 ? name : $"{path}.{name}", lines, bom)));
                }

                return new SourceObject(path, line, column, properties);
            case JsonTokenType.StartArray:
                var items = new List<SourceNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(Read(ref reader, $"{path}[{items.Count}]", lines, bom));
                }

                return new SourceArray(path, line, column, items);
            case JsonTokenType.String:
                return new SourceValue(path, line, column, reader.TokenType, reader.GetString()!);
            default:
                return new SourceValue(path, line, column, reader.TokenType, Encoding.UTF8.GetString(reader.ValueSpan));
        }
    }

    /// <summary>Byte offset → 1-based line and column (columns count characters).</summary>
    private sealed class LineMap
    {
        private readonly byte[] _bytes;
        private readonly List<int> _starts = [0];

        public LineMap(byte[] bytes)
        {
            _bytes = bytes;
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    _starts.Add(i + 1);
                }
            }
        }

        public (int Line, int Column) At(int offset)
        {
            var index = _starts.BinarySearch(offset);
            var line = index >= 0 ? index : ~index - 1;
            return (line + 1, Encoding.UTF8.GetCharCount(_bytes, _starts[line], Math.Max(0, offset - _starts[line])) + 1);
        }
    }
}
