using LoadBench.Cli.Tests.TestSupport;

namespace LoadBench.Cli.Tests.Agents;

/// <summary>The agent options' mistakes end at once with exit 2 and a sentence that says what is wrong.</summary>
public sealed class AgentBadInputTests
{
    [Fact]
    public async Task Run_NatsWithoutAgents_Exits2()
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "run", "scenarios/quick.json", "--nats", "nats://127.0.0.1:4222");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--nats and --agents go together", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SourceAddressThatIsNoAddress_Exits2()
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "run", "scenarios/quick.json", "--source-address", "127.0.0.two");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("'127.0.0.two' is not an IP address", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SharedFeedWithoutAgents_Exits2()
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "run", "scenarios/quick.json", "--shared-feed", "--target", "http://127.0.0.1:5080");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--shared-feed belongs to a run with --nats and --agents", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Agent_NameThatCannotBeASubject_Exits2()
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "agent", "--nats", "nats://127.0.0.1:4222", "--name", "rack 2.a");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("An agent name may hold letters, digits", run.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("100001")]
    public async Task Agent_ConnectRateOutOfRange_Exits2(string rate)
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "agent", "--nats", "nats://127.0.0.1:4222", "--connect-rate", rate);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains($"--connect-rate must be 1..100000 connections per second; got {rate}", run.StandardError, StringComparison.Ordinal);
    }
}
