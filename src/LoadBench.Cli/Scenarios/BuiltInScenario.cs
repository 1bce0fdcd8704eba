using LoadBench.Engine.Scenarios;

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
    /// Reads the description and requirements through the scenario reader itself (one reader of scenario files).
    /// A built-in that does not load is a bug the tests catch; listing it must still not take the tool down.
    /// </summary>
    public static BuiltInScenario FromFile(string name, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            var plan = ScenarioFile.Parse(bytes, DisplayPrefix + name + ".json");
            return new BuiltInScenario(name, bytes, plan.Description ?? "", plan.Requires);
        }
        catch (ScenarioFileException e)
        {
            return new BuiltInScenario(name, bytes, $"(does not load: {e.Message})", []);
        }
    }
}
