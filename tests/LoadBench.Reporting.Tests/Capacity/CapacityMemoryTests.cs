using LoadBench.Contracts;
using LoadBench.Reporting.Capacity;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests.Capacity;

/// <summary>
/// The memory resolution rule against hand-computed figures: resolution R = |retained heap at an idle scenario's end −
/// at its start|; a growth g is resolved when g ≥ 4R, and otherwise projected as (g ± R) × subscribers ÷ clients.
/// </summary>
public sealed class CapacityMemoryTests
{
    private const double MiB = 1024 * 1024;

    [Fact]
    public void FromIdle_IsTheRetainedHeapsMovement_WithNoClient()
    {
        // Run 4's idle scenario (docs/capacity.md): 6,824,408 B at its start, 6,467,984 B at its end → 356,424 B.
        var r = CapacityMemory.FromIdle(Idle(before: 6_824_408, after: 6_467_984));

        Assert.Equal(new MemoryResolution(356_424, "idle"), r);
        Assert.Null(CapacityMemory.FromIdle(Idle(before: null, after: 6_467_984)));
    }

    [Theory]
    [InlineData(2_097_152, 524_288, true)]   // exactly 4 × 512 KiB: error 25 %, resolved
    [InlineData(2_097_151, 524_288, false)]  // one byte less
    [InlineData(819_200, 356_424, false)]    // 100 polling clients × 8 KiB against run 4's idle movement: 2.3×
    [InlineData(0, 0, true)]                 // a heap that never moved resolves everything, zero included
    public void Resolved_NeedsFourResolutions(double growth, double resolution, bool resolved) =>
        Assert.Equal(resolved, CapacityMemory.Resolved(growth, resolution));

    [Fact]
    public void Scale_IsGrowthPlusOrMinusResolution_TimesSubscribersOverClients()
    {
        // g = 100 × 8 KiB = 819,200 B, R = 512 KiB = 524,288 B, 800 ÷ 100 = 8:
        // lower (819,200 − 524,288) × 8 = 2,359,296; central 6,553,600; upper 1,343,488 × 8 = 10,747,904.
        Assert.Equal((2_359_296d, 6_553_600d, 10_747_904d), CapacityMemory.Scale(819_200, 100, 524_288, 800));
        // A resolution larger than the growth: the lower end stops at 0.
        Assert.Equal(0, CapacityMemory.Scale(100_000, 100, 524_288, 800).Lower);
    }

    [Fact]
    public void Project_PollingBelowResolution_IsAnInterval_SizedByItsUpperEnd_AndSaysSo()
    {
        // Polling 100 clients × 8 KiB = 819,200 B; idle moved 500,000 B; 4 × 500,000 > 819,200: not resolved.
        // To 800: (819,200 ± 500,000) × 8 = 2,553,600 … 10,553,600 B; retained = the upper end; + 512 MiB for one instance.
        var basis = Basis(Poll(kib: 8), Idle(before: 6_000_000, after: 6_500_000));

        var plan = CapacityPlanner.Plan([basis], new CapacityRequest { Subscribers = 800, RatePerSecond = 1, PayloadBytes = 256, PollIntervalMs = 1_000 });

        var p = Assert.Single(plan.Projections);
        Assert.False(p.MemoryResolved);
        Assert.Equal(2_553_600, p.RetainedMemoryLowerBytes!.Value, 6);
        Assert.Equal(10_553_600, p.RetainedMemoryUpperBytes!.Value, 6);
        Assert.Equal(10_553_600, p.RetainedMemoryBytes, 6);
        Assert.Equal(10_553_600 + 512 * MiB, p.TotalMemoryBytes, 6);
        var text = CapacityText.Plain(plan);
        // 500,000 B = 0.48 MiB; 819,200 B = 0.78 MiB; 2,553,600 B = 2.44 MiB; 10,553,600 B = 10.1 MiB.
        Assert.Contains("the retained heap moved by 0.48 MiB over the idle scenario 'idle'", text, StringComparison.Ordinal);
        Assert.Contains("Short polling: 0.78 MiB growth at 100 clients is below 4× the resolution", text, StringComparison.Ordinal);
        Assert.Contains("= 2.44–10.1 MiB, and instances are sized by its upper end", text, StringComparison.Ordinal);
        Assert.Contains(CapacityText.PollingMemory, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Project_ResolvedGrowth_IsAsMeasured_WithItsInterval()
    {
        // SSE 100 clients × 10 KiB = 1,024,000 B; idle moved 200,000 B; 4 × 200,000 = 800,000 ≤ 1,024,000: resolved.
        // To 10,000: 10,000 × 10 KiB = 102,400,000 B; interval (1,024,000 ∓ 200,000) × 100 = 82,400,000 … 122,400,000.
        var basis = Basis(SampleResults.Scenario(TransportIds.Sse, 100), Idle(before: 6_000_000, after: 5_800_000));

        var p = CapacityPlanner.Project(basis, new CapacityRequest { Subscribers = 10_000, RatePerSecond = 10, PayloadBytes = 256 });

        Assert.True(p.MemoryResolved);
        Assert.Equal(102_400_000, p.RetainedMemoryBytes, 6);
        Assert.Equal((82_400_000d, 122_400_000d), (p.RetainedMemoryLowerBytes!.Value, p.RetainedMemoryUpperBytes!.Value));
        Assert.Contains("Server-Sent Events: 0.98 MiB growth at 100 clients, resolved.", CapacityText.Plain(CapacityPlanner.Plan([basis], new CapacityRequest { Subscribers = 10_000 })), StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_ZeroGrowth_IsProjectedUpToTheResolution_OnlyWhenTheResolutionIsKnown()
    {
        // No growth at all at 100 clients, idle moved 500,000 B: 0 … 500,000 × 8 = 4,000,000 B at 800.
        var p = CapacityPlanner.Project(Basis(Poll(kib: 0), Idle(before: 6_000_000, after: 6_500_000)),
            new CapacityRequest { Subscribers = 800, PollIntervalMs = 1_000 });
        Assert.Equal((0d, 4_000_000d, 4_000_000d), (p.RetainedMemoryLowerBytes!.Value, p.RetainedMemoryUpperBytes!.Value, p.RetainedMemoryBytes));

        // Without an idle scenario a 0 says nothing: refused, naming the field.
        var (bases, problems) = CapacityBasis.Choose(NoisyResults.Document(Poll(kib: 0)));
        Assert.Empty(bases);
        Assert.Contains("server.kibPerConnection is 0, not a positive number", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WithoutAnIdleScenario_SaysTheResolutionIsUnknown_AndProjectsAsMeasured()
    {
        var basis = Basis(SampleResults.Scenario(TransportIds.Sse, 100));

        var plan = CapacityPlanner.Plan([basis], new CapacityRequest { Subscribers = 10_000 });

        var p = Assert.Single(plan.Projections);
        Assert.Null(p.MemoryResolved);
        Assert.Null(p.RetainedMemoryUpperBytes);
        Assert.Equal(102_400_000, p.RetainedMemoryBytes, 6);
        Assert.Contains("resolution is unknown", CapacityText.Plain(plan), StringComparison.Ordinal);
    }

    private static CapacityBasis Basis(params ScenarioResult[] scenarios)
    {
        var (bases, problems) = CapacityBasis.Choose(NoisyResults.Document(scenarios));
        Assert.Empty(problems);
        return Assert.Single(bases);
    }

    /// <summary>100 short-polling clients every second, <paramref name="kib"/> KiB of retained heap each.</summary>
    private static ScenarioResult Poll(double kib)
    {
        var s = SampleResults.Scenario(TransportIds.Polling, 100);
        return s with { PollIntervalMs = 1_000, Server = s.Server with { KibPerConnection = kib } };
    }

    /// <summary>The target with no clients, its retained heap <paramref name="before"/> and <paramref name="after"/>.</summary>
    private static ScenarioResult Idle(long? before, long? after)
    {
        var s = SampleResults.Scenario(TransportIds.Sse, 10);
        return s with
        {
            Name = "idle",
            Clients = 0,
            Throughput = s.Throughput with { EventsDelivered = 0, EventsPerSecond = 0, Requests = 0, RequestsPerSecond = 0 },
            Errors = s.Errors with { Count = 0 },
            Server = s.Server with
            {
                CpuMs = 40, CpuMsPer1000Events = null, KibPerConnection = null,
                RetainedHeapBytesBefore = before, RetainedHeapBytesWithClients = after,
            },
        };
    }
}
