using System.Text;
using System.Text.RegularExpressions;
using LoadBench.Cli.Tests.TestSupport;

namespace LoadBench.Cli.Tests;

/// <summary>
/// The commands that take a scenario by name, run from a folder that is not the repository: what a user of the
/// installed tool sees. None of these starts a load; the one full run is in <see cref="InstalledToolEndToEndTests"/>.
/// </summary>
public sealed partial class BuiltInScenarioCommandsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-builtin-").FullName;

    [Fact]
    public async Task Run_FileNamedLikeABuiltIn_InTheCurrentFolder_Wins()
    {
        // A broken file called "quick": if it is read, the run stops at its errors, naming it, before any load.
        await File.WriteAllTextAsync(Path.Combine(_folder, "quick"), """
            {
              "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 8 } },
              "scenarios": [
                { "name": "a", "transport": "sse",
                  "load": [ { "model": "KeepConstant", "copies": -3, "during": "1s" } ] }
              ]
            }
            """);

        var run = await LoadBenchProcess.RunInAsync(_folder, Timeout, "run", "quick");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.StartsWith("quick:5:", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("scenarios[0].load[0].copies", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("built-in", run.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("run", "no_such_scenario")]
    [InlineData("gate", "scenarios/quick.json")]
    public async Task UnknownName_NotAFileEither_Exits2_NamingTheBuiltInOnes(string command, string argument)
    {
        var run = await LoadBenchProcess.RunInAsync(_folder, Timeout, command, argument);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"'{argument}'", run.StandardError, StringComparison.Ordinal);
        Assert.All(RepositoryScenarios.Files(), f => Assert.Contains(Path.GetFileNameWithoutExtension(f), run.StandardError, StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public async Task Gate_BuiltInName_ReadsItsThresholds_AndNamesItInErrors()
    {
        // The built-in gate scenario has relative thresholds; without a baseline the gate refuses before any trial.
        var run = await LoadBenchProcess.RunInAsync(_folder, Timeout, "gate", "gate");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("built-in:gate.json: has relative thresholds", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("trial 1", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scenarios_ListsEveryBuiltIn_WithItsDescription()
    {
        var run = await LoadBenchProcess.RunInAsync(_folder, Timeout, "scenarios");

        Assert.True(run.ExitCode == 0, run.StandardError);
        var lines = run.StandardOutput.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var listing = Whitespace().Replace(run.StandardOutput, " ");
        foreach (var file in RepositoryScenarios.Files())
        {
            // The name alone on its line, or followed by what the scenario needs beside the target.
            var name = Path.GetFileNameWithoutExtension(file);
            var requires = RepositoryScenarios.Requires(file);
            Assert.Contains(requires.Count == 0 ? name : $"{name}   (needs {string.Join(", ", requires)})", lines);
            // Wrapped for the terminal, so compared with the line breaks folded into spaces.
            Assert.Contains(Whitespace().Replace(RepositoryScenarios.Description(file), " "), listing, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Schema_PrintsTheSchemaFile_ByteForByte()
    {
        var run = await LoadBenchProcess.RunInAsync(_folder, Timeout, "schema");

        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Equal(File.ReadAllBytes(RepositoryScenarios.SchemaFile), Encoding.UTF8.GetBytes(run.StandardOutput));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
