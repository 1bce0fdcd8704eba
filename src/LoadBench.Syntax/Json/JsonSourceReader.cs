using System.Text;
using System.Text.Json;

namespace LoadBench.Syntax.Json;

/// <summary>
/// Reads a hand-written JSON file (scenario files: comments and trailing commas allowed) into
/// <see cref="JsonSourceNode"/>s that remember their place. Stricter than JSON requires where a person's
/// mistake would otherwise pass silently: a name written twice in one object and anything after the document
/// are errors.
/// </summary>
public static class JsonSourceReader
{
    private static readonly JsonReaderOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The document in <paramref name="bytes"/> (UTF-8, a BOM is skipped); throws
    /// <see cref="JsonSourceException"/> naming <paramref name="file"/>, line and column.</summary>
    public static JsonSourceNode Parse(byte[] bytes, string file)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(file);
        var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var context = new Context(file, new LineMap(bytes, bom), bom);
        if (bytes.AsSpan(bom).Trim(" \t\r\n"u8).IsEmpty)
        {
            // The reader would say "does not contain any JSON tokens"; an empty file deserves plainer words.
            throw new JsonSourceException(new JsonSourceError(file, 1, 1, "", "the file is empty; expected a JSON object"));
        }

        var reader = new Utf8JsonReader(bytes.AsSpan(bom), Options);
        JsonSourceNode root;
        try
        {
            reader.Read();
            root = ReadValue(ref reader, "", context);
        }
        catch (JsonException ex)
        {
            throw new JsonSourceException(ErrorAt(ex, context, $"malformed JSON: {ReaderMessage(ex)}"));
        }

        // A second document (two files pasted together, say) would otherwise be ignored without a word.
        const string After = "unexpected content after the end of the JSON document";
        try
        {
            if (reader.Read())
            {
                var (line, column) = context.At(reader.TokenStartIndex);
                throw new JsonSourceException(new JsonSourceError(file, line, column, "", After));
            }
        }
        catch (JsonException ex)
        {
            throw new JsonSourceException(ErrorAt(ex, context, After));
        }

        return root;
    }

    /// <summary><c>scenarios[0]</c> + <c>name</c> → <c>scenarios[0].name</c>; the document's own path is empty.</summary>
    public static string Join(string path, string name)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Length == 0 ? name : $"{path}.{name}";
    }

    private static JsonSourceNode ReadValue(ref Utf8JsonReader reader, string path, Context context)
    {
        var (line, column) = context.At(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var properties = new List<JsonSourceProperty>();
                var names = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    var (nameLine, nameColumn) = context.At(reader.TokenStartIndex);
                    if (!names.Add(name))
                    {
                        // JSON allows it and readers differ on which value wins: in a file people edit, the
                        // second one is a mistake that must not pass silently.
                        var firstLine = properties.First(p => p.Name == name).Line;
                        throw new JsonSourceException(new JsonSourceError(context.File, nameLine, nameColumn, Join(path, name),
                            $"is written twice (first at line {firstLine}); keep one"));
                    }

                    reader.Read();
                    properties.Add(new JsonSourceProperty(name, ReadValue(ref reader, Join(path, name), context), nameLine, nameColumn));
                }

                return new JsonSourceObject(path, line, column, properties);
            case JsonTokenType.StartArray:
                var items = new List<JsonSourceNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, $"{path}[{items.Count}]", context));
                }

                return new JsonSourceArray(path, line, column, items);
            case JsonTokenType.String:
                return new JsonSourceValue(path, line, column, reader.TokenType, reader.GetString()!);
            case JsonTokenType.Number:
                return new JsonSourceValue(path, line, column, reader.TokenType, Encoding.UTF8.GetString(reader.ValueSpan));
            default:
                return new JsonSourceValue(path, line, column, reader.TokenType, reader.TokenType.ToString().ToLowerInvariant());
        }
    }

    private static JsonSourceError ErrorAt(JsonException ex, Context context, string message)
    {
        var (line, column) = context.Lines.AtLineByte(ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0);
        return new JsonSourceError(context.File, line, column, "", message);
    }

    /// <summary>The reader's own message without its " LineNumber: 6 | BytePositionInLine: 14." tail: we say
    /// the place our way.</summary>
    private static string ReaderMessage(JsonException ex)
    {
        var cut = ex.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? ex.Message[..cut].TrimEnd() : ex.Message;
    }

    private sealed record Context(string File, LineMap Lines, int Bom)
    {
        public (int Line, int Column) At(long tokenStart) => Lines.At(Bom + (int)tokenStart);
    }
}
