using System.Text;
using LoadBench.Cli.Scenarios;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Cli.Tests.Scenarios;

public sealed class ScenarioSourceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-source-").FullName;

    [Theory]
    [InlineData("quick")]
    [InlineData("quick.json")]
    public void Resolve_BuiltInName_WhenNoSuchFile_IsTheBuiltIn(string argument)
    {
        Assert.False(File.Exists(argument));

        var source = ScenarioSource.Resolve(argument);

        Assert.NotNull(source);
        Assert.Equal("built-in:quick.json", source.DisplayName);
        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryScenarios.Folder, "quick.json")), source.BuiltIn!.Bytes);
    }

    [Fact]
    public void Resolve_ExistingFile_WinsOverTheBuiltInOfTheSameName()
    {
        var file = Path.Combine(_folder, "quick.json");
        File.WriteAllText(file, "{}");

        var source = ScenarioSource.Resolve(file);

        Assert.NotNull(source);
        Assert.Null(source.BuiltIn);
        Assert.Equal(file, source.DisplayName);
    }

    [Theory]
    [InlineData("nosuch")]
    [InlineData("scenarios/nosuch.json")]
    [InlineData("bench/poll-64")]
    [InlineData("")]
    public void Resolve_NeitherFileNorBuiltIn_IsNull_AndTheMessageNamesEveryBuiltIn(string argument)
    {
        Assert.Null(ScenarioSource.Resolve(argument));

        var message = ScenarioSource.NotFound(argument);
        Assert.Contains($"'{argument}'", message, StringComparison.Ordinal);
        Assert.All(RepositoryScenarios.Files(), f => Assert.Contains(Path.GetFileNameWithoutExtension(f), message, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadPlan_BuiltIn_HasNoSourcePath_AndMatchesTheFilesHash()
    {
        var plan = ScenarioSource.Resolve("quick")!.LoadPlan();
        var fromFile = ScenarioFile.Load(Path.Combine(RepositoryScenarios.Folder, "quick.json"));

        Assert.Null(plan.SourcePath);
        Assert.Equal(fromFile.Hash, plan.Hash);
        Assert.Equal(fromFile.Name, plan.Name);
        Assert.Equal(fromFile.Scenarios.Select(s => s.Name), plan.Scenarios.Select(s => s.Name));
    }

    [Fact]
    public void LoadPlan_BadBuiltIn_NamesTheBuiltInWithLineAndField()
    {
        // The same file as shipped, with one problem on line 5: errors must point into it as they do for a path.
        var bad = BuiltInScenario.FromFile("quick", Encoding.UTF8.GetBytes("""
            {
              "name": "quick",
              "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 8 } },
              "scenarios": [
                { "name": "a", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": -3, "during": "1s" } ] }
              ]
            }
            """));

        var error = Assert.Throws<ScenarioFileException>(() => new ScenarioSource(bad.DisplayName, bad).LoadPlan());

        Assert.StartsWith("built-in:quick.json:5:", error.Message, StringComparison.Ordinal);
        Assert.Contains("scenarios[0].load[0].copies", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
