using System.Text.Json;

namespace LoadBench.Cli.Tests.TestSupport;

/// <summary>The repository's own <c>scenarios/*.json</c>, read from disk: the truth the built-in copies are checked against.</summary>
internal static class RepositoryScenarios
{
    public const string SchemaFileName = "scenario.schema.json";

    public static string Folder => Path.Combine(LoadBenchProcess.RepositoryRoot, "scenarios");

    public static string SchemaFile => Path.Combine(Folder, SchemaFileName);

    /// <summary>Every scenario file directly under <c>scenarios/</c> (not <c>bench/</c>, not the schema), by file name.</summary>
    public static IReadOnlyList<string> Files() => Directory.GetFiles(Folder, "*.json", SearchOption.TopDirectoryOnly)
        .Where(f => Path.GetFileName(f) != SchemaFileName)
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The file's top-level "description", read with nothing of the CLI's.</summary>
    public static string Description(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.GetProperty("description").GetString()!;
    }

    /// <summary>The file's top-level "requires" (what it needs beside the target), empty when it has none.</summary>
    public static IReadOnlyList<string> Requires(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        return document.RootElement.TryGetProperty("requires", out var requires)
            ? [.. requires.EnumerateArray().Select(r => r.GetString()!)]
            : [];
    }
}
