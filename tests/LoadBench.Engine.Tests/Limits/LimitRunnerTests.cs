using System.Text;
using LoadBench.Engine.Limits;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.Running;
using LoadBench.Engine.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Limits;

/// <summary>The whole search through the scenario executor, against the fake target and fake clients on the fake
/// clock: a target whose events arrive 400 ms late once more than 20 clients are connected (10 ms below).</summary>
[Collection(FakeClockGroup.Name)]
public sealed class LimitRunnerTests
{
    private const int BreakingPoint = 20;

    private readonly FakeTimeProvider _time = new();

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    [Fact]
    public async Task RunAsync_FakeTargetSlowerAbove20Clients_FindsTheLimitWithin10Percent()
    {
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        var delivered = new HashSet<string>(StringComparer.Ordinal);
        var progress = new InlineProgress(p =>
        {
            if (p.Phase == RunPhase.Measured && p.Elapsed > TimeSpan.Zero && delivered.Add(p.Scenario))
            {
                fakes.DeliverToRunning(3, latencyMicros: fakes.Live > BreakingPoint ? 400_000 : 10_000);
            }
        });
        var options = new RunOptions
        {
            ClientFactory = o => fakes.Create(o, requestDriven: false),
            DrainTimeout = S(0.3),
            SampleInterval = S(0.2),
            TargetWarmUp = TimeSpan.Zero,
            TimeProvider = _time,
            EngineCpuTime = () => TimeSpan.Zero,
            MachineCpuTicks = () => null,
        };
        var plan = ScenarioFile.Parse(Encoding.UTF8.GetBytes("""
            { "scenarios": [ { "name": "sse_limit", "transport": "sse", "feed": { "ratePerSecond": 20, "payloadBytes": 64 },
                "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ],
                "search": { "vary": "copies", "from": 5, "to": 80, "step": "1s", "slo": ["latency/p99 <= 250ms", "integrity/lost == 0"] } } ] }
            """), "limits-test.json");

        var results = await _time.RunAsync(
            () => LimitRunner.RunAsync(plan, target, false, options, new LimitMachine(2, null), progress, CancellationToken.None),
            TimeSpan.FromMinutes(5));

        var limit = Assert.Single(results.Limits!);
        Assert.True(limit.Complete);
        Assert.Equal(BreakingPoint, limit.HighestMet);
        Assert.InRange(limit.FirstFailed!.Value, BreakingPoint + 1, BreakingPoint * 1.1);
        Assert.StartsWith("latency/p99 <= 250ms (was 4", limit.BrokenRule);
        Assert.Equal("target CPU", limit.Bottleneck);
        Assert.Equal([5.0, 10, 20, 40, 30, 25, 23, 22], limit.Steps.Select(s => s.Level));
        Assert.Equal(limit.Steps.Select(s => s.Scenario), results.Scenarios.Select(s => s.Name));
    }
}
