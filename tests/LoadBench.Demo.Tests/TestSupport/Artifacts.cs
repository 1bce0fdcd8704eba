namespace LoadBench.Demo.Tests.TestSupport;

/// <summary>
/// Where tests keep what a person may want to look at afterwards (screenshots): <c>TestResults/demo/</c> at the
/// repository root, beside the TRX files tests/run.sh writes (and wipes at its start), or
/// <c>$LOADBENCH_ARTIFACTS</c> when set.
/// </summary>
internal static class Artifacts
{
    public static string Directory()
    {
        var configured = Environment.GetEnvironmentVariable("LOADBENCH_ARTIFACTS");
        var root = !string.IsNullOrEmpty(configured)
            ? configured
            : Path.Combine(RepositoryRoot() ?? AppContext.BaseDirectory, "TestResults");
        var directory = Path.Combine(root, "demo");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>The folder holding LoadBench.sln above the test binaries, or null when run from elsewhere.</summary>
    public static string? RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "LoadBench.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
