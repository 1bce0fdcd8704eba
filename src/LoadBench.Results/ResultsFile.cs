using System.Text.Json;

namespace LoadBench.Results;

/// <summary>Reads and writes <c>results.json</c> (System.Text.Json, source-generated <see cref="ResultsJson"/>).</summary>
public static class ResultsFile
{
    public static async Task WriteAsync(string path, ResultsDocument document, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(document);

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Written whole or not at all: a crash mid-write never leaves a truncated results.json.
        await AtomicFile.WriteAllTextAsync(path, Serialize(document), cancellationToken);
    }

    public static async Task<ResultsDocument> ReadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ResultsFormatException($"{path}: cannot read results file: {ex.Message}", ex);
        }

        return Parse(json, path);
    }

    public static string Serialize(ResultsDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return JsonSerializer.Serialize(document, ResultsJson.Default.ResultsDocument);
    }

    /// <summary>
    /// Parses a results document. The schema version is checked before anything else, so a file from a newer
    /// LoadBench is refused with a message that says so rather than misread field by field.
    /// </summary>
    /// <param name="json">The document text.</param>
    /// <param name="source">Where it came from (a path), for error messages.</param>
    public static ResultsDocument Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);

        try
        {
            using (var probe = JsonDocument.Parse(json))
            {
                if (probe.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ResultsFormatException($"{source}: a results document is a JSON object");
                }

                if (!probe.RootElement.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number)
                {
                    throw new ResultsFormatException($"{source}: field 'schemaVersion' is missing; is this a LoadBench results.json?");
                }

                if (!version.TryGetInt32(out var v) || v != ResultsDocument.CurrentSchemaVersion)
                {
                    throw new ResultsFormatException(
                        $"{source}: schemaVersion {version.GetRawText()} is not supported; this LoadBench reads schemaVersion {ResultsDocument.CurrentSchemaVersion} " +
                        "(a newer LoadBench wrote it? see docs/results-schema.md)");
                }
            }

            return JsonSerializer.Deserialize(json, ResultsJson.Default.ResultsDocument)
                ?? throw new ResultsFormatException($"{source}: the document is null");
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $":{line + 1}:{(ex.BytePositionInLine ?? 0) + 1}" : "";
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $" field '{ex.Path}':";
            throw new ResultsFormatException($"{source}{where}:{field} {ex.Message}", ex);
        }
    }
}
