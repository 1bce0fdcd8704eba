using System.Text.Json;

namespace LoadBench.Cli.Scenarios;

/// <summary>
/// A scenario file shipped inside the tool (one of the repository's <c>scenarios/*.json</c>), known by its file
/// name without <c>.json</c>: <c>quick</c>, <c>compare-transports</c>.
/// </summary>
/// <param name="Description">The file's top-level <c>description</c>, or empty.</param>
/// <param name="Requires">What it needs beside the target (top-level <c>"requires": ["nginx", "nats"]</c>), or empty.</param>
internal sealed record BuiltInScenario(string Name, byte[] Bytes, string Description, IReadOnlyList<string> Requires)
{
    private const string DisplayPrefix = "built-in:";

    public string FileName => Name + ".json";

    /// <summary>How errors name it, in place of a path: <c>built-in:quick.json:12:5: field '…': …</c>.</summary>
    public string DisplayName => DisplayPrefix + FileName;

    /// <summary>
    /// Reads the two top-level fields the listing shows with System.Text.Json directly: the listing needs no bound
    /// plan, and must not fail because one file asks for something this machine lacks.
    /// </summary>
    public static BuiltInScenario FromFile(string name, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        // The scenario reader allows comments and trailing commas, so the listing does too.
        using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        var isObject = root.ValueKind == JsonValueKind.Object;
        var description = isObject && root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String
            ? d.GetString()!
            : "";
        IReadOnlyList<string> requires = isObject && root.TryGetProperty("requires", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList()
            : [];
        return new BuiltInScenario(name, bytes, description, requires);
    }
}
