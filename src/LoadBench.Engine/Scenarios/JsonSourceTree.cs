using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// A JSON value that remembers where it was written: its path (<c>scenarios[1].load[0].copies</c>) and its
/// line and column. System.Text.Json's DOM forgets positions, and an error that says "line 7" is what makes
/// a scenario file friendly, so the file is read into this small tree with <see cref="Utf8JsonReader"/>.
/// </summary>
internal abstract class JsonSourceNode(string path, int line, int column)
{
    public string Path { get; } = path;
    public int Line { get; } = line;
    public int Column { get; } = column;

    /// <summary>"an object", "a string \"x\"", "the number 2.5": how an error message names what it found.</summary>
    public abstract string Describe();
}

internal sealed class JsonSourceObject(string path, int line, int column) : JsonSourceNode(path, line, column)
{
    public List<JsonSourceProperty> Properties { get; } = [];

    public JsonSourceNode? this[string name] => Properties.FirstOrDefault(p => p.Name == name)?.Value;

    public override string Describe() => "an object";
}

internal sealed record JsonSourceProperty(string Name, JsonSourceNode Value, int Line, int Column);

internal sealed class JsonSourceArray(string path, int line, int column) : JsonSourceNode(path, line, column)
{
    public List<JsonSourceNode> Items { get; } = [];

    public override string Describe() => "a list";
}

internal sealed class JsonSourceValue(string path, int line, int column, JsonTokenType kind, string text)
    : JsonSourceNode(path, line, column)
{
    public JsonTokenType Kind { get; } = kind;

    /// <summary>The string's value, or the number's raw text.</summary>
    public string Text { get; } = text;

    public override string Describe() => Kind switch
    {
        JsonTokenType.String => $"the string \"{Text}\"",
        JsonTokenType.Number => Text,
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => "null",
    };
}

/// <summary>A JSON syntax error at a known place.</summary>
internal sealed class JsonSourceSyntaxException(string message, int line, int column) : Exception(message)
{
    public int Line { get; } = line;
    public int Column { get; } = column;
}

internal static class JsonSourceTree
{
    private static readonly JsonReaderOptions Options = new()
    {
        // Scenario files are written by people: comments and a trailing comma should not be errors.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static JsonSourceNode Parse(byte[] bytes)
    {
        var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var positions = new Positions(bytes);
        var reader = new Utf8JsonReader(bytes.AsSpan(bom), Options);
        try
        {
            if (!reader.Read())
            {
                throw new JsonSourceSyntaxException("the file is empty; a scenario file is a JSON object", 1, 1);
            }

            var root = ReadValue(ref reader, "", positions, bom);
            if (reader.Read())
            {
                var (line, column) = positions.At(bom + (int)reader.TokenStartIndex);
                throw new JsonSourceSyntaxException("unexpected content after the end of the JSON document", line, column);
            }

            return root;
        }
        catch (JsonException ex)
        {
            // The reader's own message ends with " LineNumber: 6 | BytePositionInLine: 14."; we say it our way.
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut].TrimEnd();
            }

            throw new JsonSourceSyntaxException($"malformed JSON: {message}", (int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1);
        }
    }

    private static JsonSourceNode ReadValue(ref Utf8JsonReader reader, string path, Positions positions, int bom)
    {
        var (line, column) = positions.At(bom + (int)reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var obj = new JsonSourceObject(path, line, column);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    var (nameLine, nameColumn) = positions.At(bom + (int)reader.TokenStartIndex);
                    if (obj[name] is not null)
                    {
                        throw new JsonSourceSyntaxException($"field '{Join(path, name)}' is written twice", nameLine, nameColumn);
                    }

                    reader.Read();
                    obj.Properties.Add(new JsonSourceProperty(name, ReadValue(ref reader, Join(path, name), positions, bom), nameLine, nameColumn));
                }

                return obj;
            case JsonTokenType.StartArray:
                var array = new JsonSourceArray(path, line, column);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    array.Items.Add(ReadValue(ref reader, $"{path}[{array.Items.Count}]", positions, bom));
                }

                return array;
            case JsonTokenType.String:
                return new JsonSourceValue(path, line, column, reader.TokenType, reader.GetString()!);
            case JsonTokenType.Number:
                return new JsonSourceValue(path, line, column, reader.TokenType, Encoding.UTF8.GetString(reader.ValueSpan));
            default:
                return new JsonSourceValue(path, line, column, reader.TokenType, reader.TokenType.ToString().ToLowerInvariant());
        }
    }

    public static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>Maps byte offsets to 1-based line and column (columns count characters, not bytes).</summary>
    private sealed class Positions
    {
        private readonly byte[] _bytes;
        private readonly List<int> _lineStarts = [0];

        public Positions(byte[] bytes)
        {
            _bytes = bytes;
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public (int Line, int Column) At(int offset)
        {
            var index = _lineStarts.BinarySearch(offset);
            var line = index >= 0 ? index : ~index - 1;
            var start = _lineStarts[line];
            var column = Encoding.UTF8.GetCharCount(_bytes, start, Math.Max(0, offset - start)) + 1;
            return (line + 1, column);
        }
    }

    public static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
