using LoadBench.Contracts;
using LoadBench.Reporting.Capacity;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests.Capacity;

/// <summary>
/// The projection against figures computed by hand from <see cref="SampleResults"/> at 100 clients (10 events/s,
/// 256 B): SSE 25 ms CPU per 1,000 events, 10 KiB per connection, 281 B payload + 14 B framing + 0.5 B headers per
/// event; WebSocket 20 ms and 12 KiB; short polling 150 ms per 1,000 of its 6,000 events over 10,000 requests.
/// </summary>
public sealed class CapacityPlannerTests
{
    private const double Gib = 1024.0 * 1024 * 1024;

    private static CapacityBasis Basis(string transport)
    {
        var (bases, problems) = CapacityBasis.Choose(SampleResults.Create());
        Assert.Empty(problems);
        return Assert.Single(bases, b => b.Transport == transport);
    }

    [Fact]
    public void Choose_TakesTheScenarioWithTheMostClients_PerTransport_InTransportOrder()
    {
        var (bases, _) = CapacityBasis.Choose(SampleResults.Create());

        Assert.Equal(TransportIds.All, bases.Select(b => b.Transport));
        Assert.All(bases, b => Assert.Equal(100, b.Clients));
        Assert.Equal("sse_100_clients", bases.Single(b => b.Transport == TransportIds.Sse).ScenarioName);
    }

    [Fact]
    public void Project_Sse_MatchesHandComputedFigures()
    {
        var p = CapacityPlanner.Project(Basis(TransportIds.Sse), new CapacityRequest { Subscribers = 10_000, RatePerSecond = 10, PayloadBytes = 256 });

        // 10,000 × 10 = 100,000 deliveries/s × 25 ms / 1,000 = 2,500 ms/s.
        Assert.Equal(100_000, p.DeliveriesPerSecond, 6);
        Assert.Equal(2.5, p.TargetCores, 9);
        // 10,000 × 10 KiB = 102,400,000 B; plus one instance's 512 MiB.
        Assert.Equal(102_400_000, p.RetainedMemoryBytes, 3);
        Assert.Equal(102_400_000 + 536_870_912, p.TotalMemoryBytes, 3);
        // 100,000 × (281 + 14 + 0.5) B × 8 bits.
        Assert.Equal(236_400_000, p.EgressBitsPerSecond, 3);
        // 2.5 cores fit 70 % of 4 cores (2.8): one instance for CPU, memory and open files alike.
        Assert.Equal((1, 1, 1, 1), (p.InstancesForCpu, p.InstancesForMemory, p.InstancesForOpenFiles, p.Instances));
        Assert.Equal(CapacityBound.None, p.Bound);
        // 10,000 subscribers are 100× the 100 measured.
        Assert.Contains("×100", Assert.Single(p.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Project_LargerPayload_ScalesPayloadBytesOnly()
    {
        var p = CapacityPlanner.Project(Basis(TransportIds.Sse), new CapacityRequest { Subscribers = 10_000, RatePerSecond = 10, PayloadBytes = 1_256 });

        // The payload part grows by 1,000 B (281 → 1,281); framing and headers stay; CPU per event stays.
        Assert.Equal(100_000 * (1_281 + 14.5) * 8, p.EgressBitsPerSecond, 3);
        Assert.Equal(2.5, p.TargetCores, 9);
    }

    [Fact]
    public void Project_ShortPolling_CostFollowsRequests()
    {
        var p = CapacityPlanner.Project(Basis(TransportIds.Polling),
            new CapacityRequest { Subscribers = 1_000, RatePerSecond = 10, PayloadBytes = 256, PollIntervalMs = 1_000 });

        // CPU per request: 900 ms ÷ 10,000 requests = 0.09 ms; 1,000 subscribers every second = 1,000 requests/s.
        Assert.Equal(1_000, p.RequestsPerSecond!.Value, 9);
        Assert.Equal(0.09, p.TargetCores, 9);
        // Bytes: 10,000 deliveries/s × 281 B + 1,000 requests/s × (1 + 300) B × 6,000 / 10,000 events per request.
        Assert.Equal((10_000 * 281 + 1_000 * 180.6) * 8, p.EgressBitsPerSecond, 3);
        // Exactly 10× the 100 clients and as many requests/s as measured (1,000): no warning yet.
        Assert.Empty(p.Warnings);
    }

    [Fact]
    public void Project_MoreThanTenTimesTheMeasuredClients_Warns()
    {
        var p = CapacityPlanner.Project(Basis(TransportIds.WebSocket), new CapacityRequest { Subscribers = 1_001, RatePerSecond = 10, PayloadBytes = 256 });

        var warning = Assert.Single(p.Warnings);
        Assert.Contains("1,001 subscribers", warning, StringComparison.Ordinal);
        Assert.Contains("100 measured", warning, StringComparison.Ordinal);
        Assert.Contains("ws_100_clients", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Project_MoreThanTenTimesTheMeasuredRate_Warns()
    {
        var p = CapacityPlanner.Project(Basis(TransportIds.WebSocket), new CapacityRequest { Subscribers = 100, RatePerSecond = 101, PayloadBytes = 256 });

        Assert.Contains("101 events/s", Assert.Single(p.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Project_ManyQuietSubscribers_OpenFileCapDrivesInstances()
    {
        var p = CapacityPlanner.Project(Basis(TransportIds.WebSocket), new CapacityRequest { Subscribers = 100_000, RatePerSecond = 0.01, PayloadBytes = 256 });

        // 100,000 × 0.01 × 20 ms / 1,000 = 0.02 cores; 100,000 × 12 KiB ≈ 1.14 GiB: one instance each;
        // open files: 100,000 ÷ (20,000 − 1,000) = 5.3 → 6.
        Assert.Equal(0.02, p.TargetCores, 9);
        Assert.Equal((1, 1, 6), (p.InstancesForCpu, p.InstancesForMemory, p.InstancesForOpenFiles));
        Assert.Equal(6, p.Instances);
        Assert.Equal(CapacityBound.OpenFiles, p.Bound);
        Assert.Equal(100_000 * 12 * 1024 + 6 * 536_870_912.0, p.TotalMemoryBytes, 3);
    }

    [Fact]
    public void Project_SmallInstances_MemoryDrivesInstances()
    {
        // 0.625 GiB − 512 MiB leaves 128 MiB per instance; 50,000 × 12 KiB = 585.9 MiB → 5 instances (files: 3).
        var p = CapacityPlanner.Project(Basis(TransportIds.WebSocket),
            new CapacityRequest { Subscribers = 50_000, RatePerSecond = 0.01, PayloadBytes = 256, InstanceMemoryGiB = 0.625 });

        Assert.Equal((5, 3), (p.InstancesForMemory, p.InstancesForOpenFiles));
        Assert.Equal(CapacityBound.Memory, p.Bound);
    }

    [Fact]
    public void Project_BusyFeed_CpuDrivesInstances()
    {
        // 10,000 × 100 events/s × 20 ms / 1,000 = 20 cores; 70 % of 4 cores = 2.8 per instance → 7.15 → 8.
        var p = CapacityPlanner.Project(Basis(TransportIds.WebSocket), new CapacityRequest { Subscribers = 10_000, RatePerSecond = 100, PayloadBytes = 256 });

        Assert.Equal(20, p.TargetCores, 9);
        Assert.Equal(8, p.Instances);
        Assert.Equal(CapacityBound.Cpu, p.Bound);
    }

    [Fact]
    public void Project_WithoutRateOrPayload_UsesEachTransportsMeasuredFigures()
    {
        var p = CapacityPlanner.Project(Basis(TransportIds.Sse), new CapacityRequest { Subscribers = 1_000 });

        Assert.Equal((10, 256), (p.RatePerSecond, p.PayloadBytes));
        Assert.Equal(1_000 * 10 * 25 / 1000.0 / 1000, p.TargetCores, 9);
    }

    [Fact]
    public void Choose_ScenarioWithoutMemoryPerConnection_IsNamedWithTheField()
    {
        var sse = SampleResults.Scenario(TransportIds.Sse, 100);
        var document = NoisyResults.Document(sse with { Server = sse.Server with { KibPerConnection = null } });

        var (bases, problems) = CapacityBasis.Choose(document);

        Assert.Empty(bases);
        var problem = Assert.Single(problems);
        Assert.Contains("sse_100_clients", problem, StringComparison.Ordinal);
        Assert.Contains("server.kibPerConnection is missing", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_BadCpuFigure_IsNamed_AndAnotherScenarioOfTheTransportIsUsedWhenItHasTheFigures()
    {
        var big = SampleResults.Scenario(TransportIds.WebSocket, 100);
        var broken = big with { Server = big.Server with { CpuMsPer1000Events = double.NaN } };
        Assert.Contains("server.cpuMsPer1000Events", CapacityBasis.Missing(broken), StringComparison.Ordinal);

        var (bases, problems) = CapacityBasis.Choose(NoisyResults.Document(broken, SampleResults.Scenario(TransportIds.WebSocket, 10)));

        Assert.Empty(problems);
        Assert.Equal(10, Assert.Single(bases).Clients);
    }

    [Theory]
    [InlineData(0, 4, 8, "--subscribers")]
    [InlineData(10, 0, 8, "--instance-cores")]
    [InlineData(10, 4, 0.5, "--instance-memory-gib")]
    public void Invalid_NamesTheOption(long subscribers, double cores, double memory, string option)
    {
        var why = CapacityPlanner.Invalid(new CapacityRequest { Subscribers = subscribers, InstanceCores = cores, InstanceMemoryGiB = memory });

        Assert.StartsWith(option, why, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_HasTheTableAssumptionsAndWarnings()
    {
        var (bases, _) = CapacityBasis.Choose(SampleResults.Create());
        var plan = CapacityPlanner.Plan(bases, new CapacityRequest { Subscribers = 100_000, RatePerSecond = 10, PayloadBytes = 256 });

        var text = CapacityText.Plain(plan);

        Assert.Contains("Server-Sent Events  sse_100_clients (100 clients)", text, StringComparison.Ordinal);
        Assert.Contains("kernel socket buffers are not in it", text, StringComparison.Ordinal);
        Assert.Contains("engine that drove the clients is not", text, StringComparison.Ordinal);
        Assert.Contains("Warnings:", text, StringComparison.Ordinal);
        Assert.Equal(4, plan.Warnings.Count(w => w.Contains("100,000 subscribers", StringComparison.Ordinal)));
    }

    /// <summary>
    /// SSE at 10 and 100 clients (10 events/s, 10 s measured): 100 and 1,000 deliveries/s. CPU is set so the target
    /// spends <paramref name="lowCpuMs"/> and 280 ms (28 ms/s, 28 ms per 1,000 events) in the measured phase.
    /// </summary>
    private static ResultsDocument SseAtTwoCounts(double lowCpuMs)
    {
        var low = SampleResults.Scenario(TransportIds.Sse, 10);
        var high = SampleResults.Scenario(TransportIds.Sse, 100);
        return NoisyResults.Document(
            low with { Server = low.Server with { CpuMs = lowCpuMs, CpuMsPer1000Events = lowCpuMs } },
            high with { Server = high.Server with { CpuMs = 280, CpuMsPer1000Events = 28 } });
    }

    [Fact]
    public void Choose_TwoClientCounts_FitsFixedPlusSlope_ThroughTheTwoPoints()
    {
        // 10 ms/s at 100 deliveries/s, 28 ms/s at 1,000: slope 18 ÷ 900 = 0.02 ms per delivery; fixed 28 − 0.02 × 1,000 = 8 ms/s.
        var basis = Assert.Single(CapacityBasis.Choose(SseAtTwoCounts(lowCpuMs: 100)).Bases);

        var fit = Assert.IsType<CapacityCpuFit>(basis.CpuFit);
        Assert.Equal(8, fit.FixedMsPerSecond, 9);
        Assert.Equal(0.02, fit.MsPerLoadUnit, 12);
        Assert.Equal(("sse_10_clients", 10, "sse_100_clients", 100), (fit.LowScenario, fit.LowClients, fit.HighScenario, fit.HighClients));
        Assert.Null(basis.CpuFitNote);
    }

    [Fact]
    public void Project_Fitted_CountsTheFixedPartOncePerInstance()
    {
        var basis = Assert.Single(CapacityBasis.Choose(SseAtTwoCounts(lowCpuMs: 100)).Bases);

        // 10,000 × 10 = 100,000 deliveries/s × 0.02 = 2,000 ms/s + 8 ms/s once = 2,008 ms/s (through zero it was 2,800).
        var one = CapacityPlanner.Project(basis, new CapacityRequest { Subscribers = 10_000, RatePerSecond = 10, PayloadBytes = 256 });
        Assert.Equal(2.008, one.TargetCores, 9);
        Assert.Equal(1, one.Instances);

        // 20,000 × 10 × 0.02 = 4,000 ms/s; an instance holds 2,800 − 8 = 2,792 ms/s of load → 1.43 → 2 (files: 2 too);
        // 4,000 + 2 × 8 = 4,016 ms/s.
        var two = CapacityPlanner.Project(basis, new CapacityRequest { Subscribers = 20_000, RatePerSecond = 10, PayloadBytes = 256 });
        Assert.Equal((2, 2), (two.InstancesForCpu, two.Instances));
        Assert.Equal(4.016, two.TargetCores, 9);
    }

    [Fact]
    public void Choose_NegativeFixedPart_FallsBackToThroughZero_WithANote()
    {
        // 1 ms/s at 100 deliveries/s, 28 at 1,000: slope 27 ÷ 900 = 0.03; fixed 28 − 30 = −2 ms/s: noise.
        var basis = Assert.Single(CapacityBasis.Choose(SseAtTwoCounts(lowCpuMs: 10)).Bases);

        Assert.Null(basis.CpuFit);
        Assert.Contains("fixed part came out -2 ms/s, negative", basis.CpuFitNote, StringComparison.Ordinal);
        // Through zero from the 100-client scenario: 100,000 deliveries/s × 28 ms / 1,000 = 2,800 ms/s.
        var p = CapacityPlanner.Project(basis, new CapacityRequest { Subscribers = 10_000, RatePerSecond = 10, PayloadBytes = 256 });
        Assert.Equal(2.8, p.TargetCores, 9);
        var text = CapacityText.Plain(CapacityPlanner.Plan([basis], new CapacityRequest { Subscribers = 10_000 }));
        Assert.Contains("CPU line goes through zero", text, StringComparison.Ordinal);
        Assert.Contains("negative", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_NegativeSlope_FallsBackToThroughZero_WithANote()
    {
        // 30 ms/s at 100 deliveries/s, 28 at 1,000: the slope is negative.
        var basis = Assert.Single(CapacityBasis.Choose(SseAtTwoCounts(lowCpuMs: 300)).Bases);

        Assert.Null(basis.CpuFit);
        Assert.Contains("not positive", basis.CpuFitNote, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_SameClientsAtTwoRates_TakesTheHigherRate_SoEveryTransportIsProjectedFromTheSameSetup()
    {
        // The main job measures every transport at 1,000 clients at 10 and at 100 events/s: the table must compare
        // the transports at one setup, the busiest, whichever of the two came first in the file.
        var slow = SampleResults.Scenario(TransportIds.Sse, 100) with { Name = "sse_slow", PublishRatePerSecond = 10 };
        var fast = SampleResults.Scenario(TransportIds.Sse, 100) with { Name = "sse_fast", PublishRatePerSecond = 100 };

        var basis = Assert.Single(CapacityBasis.Choose(NoisyResults.Document(slow, fast)).Bases);

        Assert.Equal("sse_fast", basis.ScenarioName);
    }

    [Fact]
    public void Choose_OtherClientCountAtAnotherRate_IsNotFitted()
    {
        var low = SampleResults.Scenario(TransportIds.Sse, 10);
        var document = NoisyResults.Document(low with { PublishRatePerSecond = 5 }, SampleResults.Scenario(TransportIds.Sse, 100));

        var basis = Assert.Single(CapacityBasis.Choose(document).Bases);

        Assert.Null(basis.CpuFit);
        Assert.Null(basis.CpuFitNote);
    }

    [Fact]
    public void Choose_SampleShortPolling_FitsPerRequest()
    {
        // 10 clients: 150 ms over 1,000 requests in 10 s = 15 ms/s at 100 requests/s; 100 clients: 900 ms over 10,000
        // = 90 ms/s at 1,000/s. Slope 75 ÷ 900 = 1/12 ms per request; fixed 90 − 1,000/12 = 20/3 ms/s.
        var fit = Assert.IsType<CapacityCpuFit>(Basis(TransportIds.Polling).CpuFit);

        Assert.Equal(20.0 / 3, fit.FixedMsPerSecond, 9);
        Assert.Equal(1.0 / 12, fit.MsPerLoadUnit, 12);
        // SSE in the sample is exactly proportional: the fit has no fixed part.
        Assert.Equal(0, Basis(TransportIds.Sse).CpuFit!.FixedMsPerSecond, 9);
    }

    [Fact]
    public void Choose_SecondPointWithoutMemoryPerConnection_StillFitsCpu()
    {
        // Only CPU and load are read from the second point: a smaller run whose retained heap came out 0 still counts.
        var low = SampleResults.Scenario(TransportIds.Sse, 10);
        var high = SampleResults.Scenario(TransportIds.Sse, 100);
        var document = NoisyResults.Document(
            low with { Server = low.Server with { CpuMs = 100, KibPerConnection = 0 } },
            high with { Server = high.Server with { CpuMs = 280, CpuMsPer1000Events = 28 } });

        var fit = Assert.IsType<CapacityCpuFit>(Assert.Single(CapacityBasis.Choose(document).Bases).CpuFit);

        Assert.Equal(8, fit.FixedMsPerSecond, 9);
    }
    /// <summary>The target with no clients for 10 s at the sample's rate and payload, spending <paramref name="cpuMs"/>.</summary>
    private static ScenarioResult Idle(double cpuMs, double? rate = null)
    {
        var s = SampleResults.Scenario(TransportIds.Sse, 10);
        return s with
        {
            Name = "idle",
            Clients = 0,
            PublishRatePerSecond = rate ?? s.PublishRatePerSecond,
            Throughput = s.Throughput with { EventsDelivered = 0, EventsPerSecond = 0, Requests = 0, RequestsPerSecond = 0 },
            Errors = s.Errors with { Count = 0 },
            Server = s.Server with { CpuMs = cpuMs, CpuMsPer1000Events = null, KibPerConnection = null },
        };
    }

    [Fact]
    public void Choose_IdleScenario_IsTheFixedPart_AheadOfASecondClientCount()
    {
        // Idle: 40 ms in 10 s = 4 ms/s. SSE 100 clients: 28 ms/s at 1,000 deliveries/s → slope (28 − 4) ÷ 1,000 = 0.024
        // ms per delivery. The 10-client scenario (which alone would give 8 + 0.02) is not used: the idle cost is measured.
        var two = SseAtTwoCounts(lowCpuMs: 100);
        var document = two with { Scenarios = [Idle(40), .. two.Scenarios] };

        var (bases, problems) = CapacityBasis.Choose(document);

        Assert.Empty(problems);
        var basis = Assert.Single(bases);
        var fit = Assert.IsType<CapacityCpuFit>(basis.CpuFit);
        Assert.Equal(4, fit.FixedMsPerSecond, 9);
        Assert.Equal(0.024, fit.MsPerLoadUnit, 12);
        Assert.Equal(("idle", 0, "sse_100_clients", 100), (fit.LowScenario, fit.LowClients, fit.HighScenario, fit.HighClients));
        // 10,000 × 10 = 100,000 deliveries/s × 0.024 = 2,400 ms/s + 4 once = 2,404 ms/s.
        var p = CapacityPlanner.Project(basis, new CapacityRequest { Subscribers = 10_000, RatePerSecond = 10, PayloadBytes = 256 });
        Assert.Equal(2.404, p.TargetCores, 9);
        Assert.Contains("from 'idle', idle, and 'sse_100_clients', 100 clients", CapacityText.CpuLine(CapacityPlanner.Plan([basis], new CapacityRequest { Subscribers = 10_000 })), StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_IdleScenario_FixesShortPollingsPerRequestCost()
    {
        // Polling 100 clients every 100 ms for 10 s: 10,000 requests, 1,000/s; 900 ms = 90 ms/s. Idle 4 ms/s (an SSE
        // scenario with no clients: the transport plays no part). Slope (90 − 4) ÷ 1,000 = 0.086 ms per request.
        var poll = SampleResults.Scenario(TransportIds.Polling, 100);
        var document = NoisyResults.Document(Idle(40), poll with { Server = poll.Server with { CpuMs = 900 } });

        var basis = Assert.Single(CapacityBasis.Choose(document).Bases);

        Assert.Equal(TransportIds.Polling, basis.Transport);
        var fit = Assert.IsType<CapacityCpuFit>(basis.CpuFit);
        Assert.Equal((4, 0.086), (Math.Round(fit.FixedMsPerSecond, 9), Math.Round(fit.MsPerLoadUnit, 12)));
        // 1,000 clients every 100 ms: 10,000 requests/s × 0.086 = 860 ms/s + 4 = 864 ms/s.
        var p = CapacityPlanner.Project(basis, new CapacityRequest { Subscribers = 1_000 });
        Assert.Equal(0.864, p.TargetCores, 9);
    }

    [Fact]
    public void Choose_IdleAtAnotherRate_IsNotUsed()
    {
        var sse = SampleResults.Scenario(TransportIds.Sse, 100);

        var basis = Assert.Single(CapacityBasis.Choose(NoisyResults.Document(Idle(40, rate: 1), sse)).Bases);

        Assert.Null(basis.CpuFit);
    }

    /// <summary>100 short-polling clients for 10 s polling every <paramref name="intervalMs"/>: 1,000 requests per
    /// second at 100 ms, 100 at 1 s; the target spending <paramref name="cpuMs"/>.</summary>
    private static ScenarioResult PollEvery(double intervalMs, double cpuMs, string name)
    {
        var s = SampleResults.Scenario(TransportIds.Polling, 100);
        var requests = (long)(100 * SampleResults.DurationSeconds * 1000 / intervalMs);
        return s with
        {
            Name = name,
            PollIntervalMs = intervalMs,
            Throughput = s.Throughput with { Requests = requests, RequestsPerSecond = requests / SampleResults.DurationSeconds },
            Server = s.Server with { CpuMs = cpuMs },
        };
    }

    [Fact]
    public void Choose_ShortPollingAtTwoRequestRates_DrawsTheLineThroughThem_NotFromIdle()
    {
        // Idle 4 ms/s. Every second: 100 requests/s, 300 ms in 10 s = 30 ms/s (260 µs per request above idle). Every
        // 100 ms: 1,000 requests/s, 90 ms/s (86 µs). From idle through the slow run the slope would be 0.26 ms per
        // request; through the two rates it is (90 − 30) ÷ 900 = 1/15 ms, fixed 90 − 1,000/15 = 70/3 ms/s.
        var document = NoisyResults.Document(Idle(40), PollEvery(1000, 300, "poll_1s"), PollEvery(100, 900, "poll_100ms"));

        var basis = Assert.Single(CapacityBasis.Choose(document).Bases);

        var fit = Assert.IsType<CapacityCpuFit>(basis.CpuFit);
        Assert.True(fit.ThroughRequestRates);
        Assert.Equal(70.0 / 3, fit.FixedMsPerSecond, 9);
        Assert.Equal(1.0 / 15, fit.MsPerLoadUnit, 12);
        Assert.Equal(("poll_1s", "poll_100ms"), (fit.LowScenario, fit.HighScenario));
        Assert.Equal((100, 1000), fit.LoadPerSecond);
        // Memory and bytes come from the slower of the two 100-client runs (fewest requests in flight).
        Assert.Equal("poll_1s", basis.ScenarioName);
        // 800 clients every second: 800 requests/s × 1/15 = 53.33 ms/s + 70/3 = 76.67 ms/s.
        var p = CapacityPlanner.Project(basis, new CapacityRequest { Subscribers = 800, PollIntervalMs = 1000 });
        Assert.Equal(800.0 / 15 / 1000 + 70.0 / 3 / 1000, p.TargetCores, 9);
        var line = CapacityText.CpuLine(CapacityPlanner.Plan([basis], new CapacityRequest { Subscribers = 800 }));
        Assert.Contains("from 'poll_1s', 100 clients at 100 requests/s, and 'poll_100ms', 100 clients at 1,000 requests/s", line, StringComparison.Ordinal);
        Assert.Contains("two highest request rates", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_ShortPollingAtCloseRequestRates_KeepsTheIdleFit()
    {
        // 100 and 150 requests/s are less than 2× apart: their slope would be mostly noise, so the line goes from idle through the basis run.
        var document = NoisyResults.Document(Idle(40), PollEvery(1000, 300, "poll_1s"), PollEvery(1000.0 * 2 / 3, 400, "poll_667ms"));

        var fit = Assert.IsType<CapacityCpuFit>(Assert.Single(CapacityBasis.Choose(document).Bases).CpuFit);

        Assert.False(fit.ThroughRequestRates);
        Assert.Equal("idle", fit.LowScenario);
    }
}
