namespace LoadBench.Engine.Tests.Scenarios;

/// <summary>The scenario files the repository ships (scenarios/*.json and the benchmark inputs under
/// scenarios/bench/) and the schema beside them.</summary>
internal static class ShippedScenarios
{
    public const string SchemaFileName = "scenario.schema.json";

    public static string Directory { get; } = Path.Combine(RepositoryRoot(), "scenarios");

    public static string SchemaPath { get; } = Path.Combine(Directory, SchemaFileName);

    /// <summary>Every file the binder reads: scenarios/*.json and scenarios/bench/*.json.</summary>
    public static IReadOnlyList<string> All() => [.. Files(Directory), .. Files(Path.Combine(Directory, "bench"))];

    private static List<string> Files(string directory) =>
        System.IO.Directory.GetFiles(directory, "*.json")
            .Where(f => Path.GetFileName(f) != SchemaFileName)
            .Order(StringComparer.Ordinal)
            .ToList();

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LoadBench.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException($"no LoadBench.sln above {AppContext.BaseDirectory}");
    }
}
