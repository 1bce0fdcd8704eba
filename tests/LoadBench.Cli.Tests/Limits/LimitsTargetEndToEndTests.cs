using System.Diagnostics;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Cli.Tests.Limits;

/// <summary>
/// `loadbench limits FILE --target URL` against the real target in this test process. The SLO is a rule whose
/// breaking point is known by arithmetic: 20 events/s to every subscriber, so n SSE subscribers receive 20 × n
/// events/s; "events/s ≤ 50" holds at 2 subscribers (40) and breaks at 3 (60).
/// </summary>
public sealed class LimitsTargetEndToEndTests : IAsyncLifetime
{
    private readonly string _output = Path.Combine(Path.GetTempPath(), "loadbench-limits-target-" + Guid.NewGuid().ToString("N"));
    private RunningTarget? _target;

    public async Task InitializeAsync()
    {
        _target = await RunningTarget.StartAsync();
        Directory.CreateDirectory(_output);
    }

    public async Task DisposeAsync()
    {
        if (_target is not null)
        {
            await _target.DisposeAsync();
        }

        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    [Fact]
    public async Task LimitsAgainstARunningTarget_FindsTheKnownPoint_TargetCpuIsTheTargetsOwn()
    {
        // Each step warms up for 1 s: without it the step's 2 s window held the connects and the publisher's start, and on a
        // busy CI machine 3 subscribers once measured under 50 events/s (the limit came out 3–4), as the agents' test did.
        var plan = Path.Combine(_output, "plan.json");
        await File.WriteAllTextAsync(plan, """
            { "name": "limits_target", "scenarios": [
              { "name": "sse_rate", "transport": "sse", "warmUp": "1s", "feed": { "ratePerSecond": 20, "payloadBytes": 64 },
                "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ],
                "search": { "vary": "copies", "from": 1, "to": 8, "step": "2s", "slo": ["throughput/events_per_second <= 50/s"] } } ] }
            """);
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(2),
            "limits", plan, "--target", _target!.BaseAddress.ToString(), "--quiet", "--output", Path.Combine(_output, "out"));

        self.Refresh();
        var cpuOfThisProcess = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}");
        var results = await ResultsFile.ReadAsync(Path.Combine(_output, "out", "results.json"), CancellationToken.None);
        var limit = Assert.Single(results.Limits!);
        Assert.True(limit.Complete);
        Assert.Equal((2.0, 3.0), (limit.HighestMet!.Value, limit.FirstFailed!.Value));
        Assert.StartsWith("throughput/events_per_second <= 50/s (was", limit.BrokenRule);
        Assert.Equal([1.0, 2.0, 4.0, 3.0], limit.Steps.Select(s => s.Level));
        Assert.False(results.Environment.TargetStartedByEngine);

        // The target's CPU is read from its /stats — this test process, where it runs. Each step's target cores over
        // its measured phase cannot add up to more CPU than this process used over the whole search; the engine's
        // cores are the loadbench process's own, which did the clients' work (never zero, never the target's figure).
        var stepsCpu = limit.Steps.Zip(results.Scenarios).Sum(x => x.First.TargetCores * x.Second.DurationSeconds);
        Assert.InRange(stepsCpu, 1e-6, cpuOfThisProcess);
        Assert.All(limit.Steps.Zip(results.Scenarios), x => Assert.Equal(x.Second.Server.CpuCores, x.First.TargetCores));
        Assert.All(limit.Steps, s => Assert.True(s.EngineCores > 0, $"engine cores {s.EngineCores} at {s.Level}"));
        var decisive = limit.Steps.Single(s => s.Level == 3);
        var expected = decisive.TargetCores + decisive.EngineCores >= 0.9 * Environment.ProcessorCount
            ? "machine-bound (target and engine share the cores)"
            : decisive.MachineBusy >= 0.9 ? "machine-bound (other processes kept the cores at least 90 % busy)"
            : "the target's limit (target and engine together below 90 % of the cores)";
        Assert.Equal(expected, limit.Label);
        Assert.Contains("sse_rate: 2 clients met the SLO, 3 did not", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PinCpusWithTarget_IsRefused_Exit2()
    {
        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(1),
            "limits", "limits", "--target", _target!.BaseAddress.ToString(), "--pin-cpus");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--pin-cpus", run.StandardError, StringComparison.Ordinal);
    }
}
