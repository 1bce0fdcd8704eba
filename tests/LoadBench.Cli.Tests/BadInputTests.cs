using LoadBench.Cli.Tests.TestSupport;

namespace LoadBench.Cli.Tests;

public sealed class BadInputTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-bad-").FullName;

    [Fact]
    public async Task Run_BadScenarioFile_Exits2_NamingFileLineAndField()
    {
        var file = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(file, """
            {
              "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 8 } },
              "scenarios": [
                { "name": "a", "transport": "sse",
                  "load": [ { "model": "KeepConstant", "copies": -3, "during": "1s" } ] }
              ]
            }
            """);

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "run", file);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"{file}:5:", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("scenarios[0].load[0].copies", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_BadSearchBlock_Exits2_NamingFileLineAndField()
    {
        var file = Path.Combine(_folder, "bad-search.json");
        await File.WriteAllTextAsync(file, """
            {
              "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 8 } },
              "scenarios": [
                { "name": "a", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ],
                  "search": { "vary": "copies", "from": 1, "to": 8, "step": "1s", "slo": ["latency/p99 +15%"] } }
              ]
            }
            """);

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "limits", file);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"{file}:5:", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("scenarios[0].search.slo[0]", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limits_PlanWithoutSearch_Exits2_SayingWhy()
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "limits", "quick");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("no scenario of 'quick' has a \"search\" block", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MalformedJson_Exits2_NamingTheLine()
    {
        var file = Path.Combine(_folder, "broken.json");
        await File.WriteAllTextAsync(file, "{\n  \"scenarios\": [\n    { \"name\": \"x\" \n      \"transport\": \"sse\" }\n  ]\n}");

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "run", file);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"{file}:4:", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NonLoopbackTarget_Exits2_WithoutSendingAnything()
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "run", "scenarios/quick.json", "--target", "http://192.0.2.1:80");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("loopback", run.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("21")]
    [InlineData("-3")]
    public async Task Run_RepeatOutOfRange_Exits2_BeforeRunningAnything(string repeat)
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "run", "scenarios/quick.json", "--repeat", repeat, "--output", Path.Combine(_folder, "never"));

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"--repeat must be between 1 and 20, got {repeat}", run.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_folder, "never")));
    }

    [Fact]
    public async Task Report_MalformedResults_Exits2_NamingTheFile()
    {
        var file = Path.Combine(_folder, "results.json");
        await File.WriteAllTextAsync(file, "{\"schemaVersion\": 1");

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "report", file);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(file, run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsCommandsAndExitCodes()
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var command in new[] { "run", "serve", "demo", "report", "compare", "scenarios", "schema" })
        {
            Assert.Contains(command, run.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Contains("Exit codes", run.StandardOutput, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
