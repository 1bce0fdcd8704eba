using LoadBench.Cli.Tests.TestSupport;

namespace LoadBench.Cli.Tests;

/// <summary>The CLI's side of the safe defaults: <c>serve</c> beyond loopback needs a token, <c>run --target</c> passes it.</summary>
public sealed class ControlTokenCommandTests : IDisposable
{
    private const string Token = "cli-token-0123456789abcdef";

    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-token-").FullName;

    [Theory]
    [InlineData("serve")]
    [InlineData("demo")]
    public async Task ServeAndDemo_BeyondLoopbackWithoutToken_Exit2_NamingTheFix(string command)
    {
        // Refused before anything binds: the command ends at once, no port is opened.
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), command, "--urls", "http://0.0.0.0:0");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--control-token", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("beyond loopback", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TargetWithToken_PassesIt_OrFailsWithExit3_SayingWhy()
    {
        await using var target = await RunningTarget.StartAsync("--control-token", Token);
        var scenario = Path.Combine(_folder, "one.json");
        await File.WriteAllTextAsync(scenario, """
            {
              "defaults": { "feed": { "ratePerSecond": 20, "payloadBytes": 8 } },
              "scenarios": [
                { "name": "poll_1", "transport": "poll", "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] }
              ]
            }
            """);

        var withToken = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(2), "run", scenario, "--quiet",
            "--target", target.BaseAddress.ToString(), "--control-token", Token, "--output", Path.Combine(_folder, "with"));
        var without = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(2), "run", scenario, "--quiet",
            "--target", target.BaseAddress.ToString(), "--output", Path.Combine(_folder, "without"));

        Assert.True(withToken.ExitCode == ExitCodes.Success, $"exit {withToken.ExitCode}\n{withToken.StandardOutput}\n{withToken.StandardError}");
        Assert.Equal(ExitCodes.RunFailed, without.ExitCode);
        Assert.Contains("401", without.StandardError, StringComparison.Ordinal);
        Assert.Contains("--control-token", without.StandardError, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
