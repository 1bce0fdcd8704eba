using System.Text.Json;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Cli.Tests;

/// <summary>
/// A scenario with no clients (RampingConstant to 0 copies) measures the target idle: `run` does not call it a
/// failure for delivering nothing, and `plan` takes its CPU per second as the fixed part of the CPU line.
/// </summary>
public sealed class IdleScenarioRunTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "loadbench-idle-" + Guid.NewGuid().ToString("N"));

    public IdleScenarioRunTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task RunWithIdleScenario_Exit0_PlanFitsThroughTheIdleCost()
    {
        var plan = Path.Combine(_folder, "plan.json");
        await File.WriteAllTextAsync(plan, """
            { "name": "idle_then_sse", "defaults": { "feed": { "ratePerSecond": 5, "payloadBytes": 64 } },
              "scenarios": [
                { "name": "idle", "transport": "sse", "load": [ { "model": "RampingConstant", "copies": 0, "during": "2s" } ] },
                { "name": "sse_5", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 5, "during": "2s" } ] } ] }
            """);

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(2), "run", plan, "--quiet", "--output", Path.Combine(_folder, "out"));

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
        var results = await ResultsFile.ReadAsync(Path.Combine(_folder, "out", "results.json"), CancellationToken.None);
        var idle = results.Scenarios.Single(s => s.Name == "idle");
        Assert.Equal((0, 0L, 0L), (idle.Clients, idle.Throughput.EventsDelivered, idle.Throughput.Requests));
        var sse = results.Scenarios.Single(s => s.Name == "sse_5");

        var projected = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1), "plan", Path.Combine(_folder, "out", "results.json"),
            "--subscribers", "50", "--rate", "5", "--payload-bytes", "64", "--output", Path.Combine(_folder, "plan"));

        Assert.True(projected.ExitCode == 0, $"exit {projected.ExitCode}\n{projected.StandardOutput}\n{projected.StandardError}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_folder, "plan", "plan.json")));
        var p = Assert.Single(json.RootElement.EnumerateArray());
        var fixedMs = idle.Server.CpuMs / idle.DurationSeconds;
        var loaded = sse.Server.CpuMs / sse.DurationSeconds;
        if (loaded > fixedMs)
        {
            // The line through (0, idle ms/s) and (deliveries/s, sse_5 ms/s), read back from the results themselves.
            Assert.Equal(["idle", "sse_5"], p.GetProperty("cpuFitFrom").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(fixedMs, p.GetProperty("cpuFixedMsPerSecond").GetDouble(), 6);
            var slope = (loaded - fixedMs) / (sse.Throughput.EventsDelivered / sse.DurationSeconds);
            Assert.Equal(slope, p.GetProperty("cpuMsPerLoadUnit").GetDouble(), 9);
        }
        else
        {
            // A busy machine can make the 5-client step cost less than idle: then the fit is refused as noise, saying so.
            Assert.Contains("not positive", p.GetProperty("cpuFitNote").GetString(), StringComparison.Ordinal);
        }
    }
}
