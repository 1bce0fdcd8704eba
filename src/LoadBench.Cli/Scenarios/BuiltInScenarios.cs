using System.Reflection;

namespace LoadBench.Cli.Scenarios;

/// <summary>
/// The scenario files and the scenario JSON Schema embedded in this assembly (LoadBench.Cli.csproj links them
/// from the repository's <c>scenarios/</c>), so an installed tool needs no repository.
/// </summary>
internal static class BuiltInScenarios
{
    private const string ScenarioPrefix = "scenarios/";
    private const string SchemaResource = "schema/scenario.schema.json";

    /// <summary>Every built-in scenario, by name.</summary>
    public static IReadOnlyList<BuiltInScenario> All { get; } = Load();

    /// <summary>The built-in scenario called <paramref name="name"/> (<c>quick</c> or <c>quick.json</c>), or null.</summary>
    public static BuiltInScenario? Find(string name) =>
        All.FirstOrDefault(s => s.Name.Equals(name, StringComparison.Ordinal) || s.FileName.Equals(name, StringComparison.Ordinal));

    /// <summary><c>scenarios/scenario.schema.json</c>, byte for byte.</summary>
    public static byte[] Schema() => Read(SchemaResource);

    /// <summary>"compare-transports, fanout, quick": for messages that tell the user what exists.</summary>
    public static string Names() => string.Join(", ", All.Select(s => s.Name));

    private static List<BuiltInScenario> Load() => typeof(BuiltInScenarios).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ScenarioPrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => BuiltInScenario.FromFile(Path.GetFileNameWithoutExtension(n[ScenarioPrefix.Length..]), Read(n)))
        .OrderBy(s => s.Name, StringComparer.Ordinal)
        .ToList();

    private static byte[] Read(string resource)
    {
        using var stream = typeof(BuiltInScenarios).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The resource {resource} is not embedded in {typeof(BuiltInScenarios).Assembly.GetName().Name}.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }
}
