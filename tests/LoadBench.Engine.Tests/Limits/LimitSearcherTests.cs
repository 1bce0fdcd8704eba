using LoadBench.Contracts;
using LoadBench.Engine.Limits;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;
using LoadBench.Syntax.Rules;

namespace LoadBench.Engine.Tests.Limits;

/// <summary>
/// The search against a stub target with a known breaking point: each step's result is what a target that gets
/// slower above <c>N</c> clients would give (p99 10 ms up to N, 400 ms beyond); the engine's CPU is what the test
/// says it is.
/// </summary>
public sealed class LimitSearcherTests
{
    private static readonly IReadOnlyList<AbsoluteRule> Slo = new[] { "latency/p99 <= 250ms", "integrity/lost == 0", "errors/rate <= 0.1%" }
        .Select(text => (AbsoluteRule)RuleExpression.Parse(text, out _)!).ToList();

    private static Scenario Searched(string vary, double from, double to) => new()
    {
        Name = "sse_limit",
        Transport = TransportIds.Sse,
        Load = [new KeepConstant(100, TimeSpan.FromSeconds(5))],
        Feed = new FeedSpec(10, 256),
        Search = new LimitSearch(vary, from, to, TimeSpan.FromSeconds(5), Slo),
    };

    /// <summary>A target that breaks above <paramref name="breakAt"/> of the varied level, using
    /// <paramref name="targetCores"/>; the engine uses <paramref name="engineCores"/> of CPU per second.</summary>
    private static (LimitSearcher Searcher, List<double> Levels) Stub(double breakAt, double targetCores, double engineCores, int cores = 8)
    {
        var levels = new List<double>();
        var searcher = new LimitSearcher((scenario, _) =>
        {
            var level = scenario.Feed.RatePerSecond == 10 ? ((KeepConstant)scenario.Load[0]).Copies : scenario.Feed.RatePerSecond;
            levels.Add(level);
            return Task.FromResult((Result(scenario, level > breakAt ? 400 : 10, targetCores), engineCores, (double?)null));
        }, new LimitMachine(cores, null));
        return (searcher, levels);
    }

    [Fact]
    public async Task Search_TargetSlowerAbove300Clients_FindsTheLimitWithin10Percent()
    {
        var (searcher, levels) = Stub(breakAt: 300, targetCores: 1, engineCores: 0.5);

        var result = await searcher.RunAsync(Searched(LimitSearch.Copies, 10, 5000), [], CancellationToken.None);

        Assert.True(result.Complete);
        Assert.InRange(result.HighestMet!.Value, 300 * 0.9, 300);
        Assert.InRange(result.FirstFailed!.Value, 301, 300 * 1.1);
        Assert.True(result.FirstFailed - result.HighestMet <= 0.1 * result.HighestMet);
        Assert.Equal([10, 20, 40, 80, 160, 320], levels.Take(6));
        Assert.StartsWith("latency/p99 <= 250ms (was 400", result.BrokenRule);
        Assert.Equal("target CPU", result.Bottleneck);
        Assert.Equal("the target's limit (target and engine together below 90 % of the cores)", result.Label);
        Assert.Equal(levels.Count, result.Steps.Count);
    }

    [Fact]
    public async Task Search_SloHeldToTheTop_IsNotReachedNotAnError()
    {
        var (searcher, levels) = Stub(breakAt: double.MaxValue, targetCores: 1, engineCores: 0.5);

        var result = await searcher.RunAsync(Searched(LimitSearch.Rate, 15, 100), [], CancellationToken.None);

        Assert.Equal([15, 30, 60, 100], levels);
        Assert.Equal(100, result.HighestMet);
        Assert.Null(result.FirstFailed);
        Assert.Null(result.BrokenRule);
        Assert.Equal("not reached up to 100", result.Label);
    }

    [Fact]
    public async Task Search_EnginePinnedAndBusy_IsLabelledEngineBound()
    {
        // Pinned to 3 of 4 cores; the engine burns 2.9 cores at every step, the target below one.
        var searcher = new LimitSearcher((scenario, _) =>
        {
            var level = ((KeepConstant)scenario.Load[0]).Copies;
            return Task.FromResult((Result(scenario, level > 50 ? 400 : 10, 0.3), 2.9, (double?)null));
        }, new LimitMachine(4, 3));

        var result = await searcher.RunAsync(Searched(LimitSearch.Copies, 10, 1000), [], CancellationToken.None);

        Assert.Equal("engine-bound: the target's limit is at least this", result.Label);
        Assert.Equal("engine CPU", result.Bottleneck);
        Assert.Equal(2.9, result.Steps[^1].EngineCores, 2);
    }

    [Fact]
    public async Task Search_SharedCoresFull_IsLabelledMachineBound()
    {
        // Two shared cores: the target uses 1.2, the engine 0.7 (1.9 ≥ 90 % of 2).
        var (searcher, _) = Stub(breakAt: 100, targetCores: 1.2, engineCores: 0.7, cores: 2);

        var result = await searcher.RunAsync(Searched(LimitSearch.Copies, 10, 1000), [], CancellationToken.None);

        Assert.Equal("machine-bound (target and engine share the cores)", result.Label);
        Assert.Equal("target CPU", result.Bottleneck);
    }

    [Fact]
    public async Task Search_OtherProcessesFillTheCores_IsLabelledMachineBound()
    {
        // Target and engine use 0.6 of 2 cores, but the machine was 97 % busy: something else had the rest.
        var searcher = new LimitSearcher((s, _) =>
            Task.FromResult((Result(s, ((KeepConstant)s.Load[0]).Copies > 100 ? 400 : 10, 0.4), 0.2, (double?)0.97)), new LimitMachine(2, null));

        var result = await searcher.RunAsync(Searched(LimitSearch.Copies, 10, 1000), [], CancellationToken.None);

        Assert.Equal("machine-bound (other processes kept the cores at least 90 % busy)", result.Label);
        Assert.Equal(0.97, result.Steps[^1].MachineBusy);
    }

    [Theory]
    // Two cores, load from 2 agents. Target 1.9 of 2 cores: the target filled its machine, whatever the agents did.
    [InlineData(1.9, 0.3, 0.99, "the target's limit (it used at least 90 % of its machine's cores; load from 2 agents)")]
    // Target 0.8, agents 1.1 on the same cores, machine 97 % busy: the agents took the cores the target needed.
    [InlineData(0.8, 1.1, 0.97, "machine-bound (the target's machine was at least 90 % busy: load agents or other processes share its cores; load from 2 agents)")]
    // Target 0.8, agents elsewhere (1.5 cores of their own), this machine 45 % busy: the target's limit.
    [InlineData(0.8, 1.5, 0.45, "the target's limit (load from 2 agents; the target's machine below 90 % busy)")]
    public async Task Search_WithAgents_JudgesTheTargetsMachine(double targetCores, double agentCores, double machineBusy, string label)
    {
        var searcher = new LimitSearcher((s, _) =>
            Task.FromResult((Result(s, ((KeepConstant)s.Load[0]).Copies > 100 ? 400 : 10, targetCores), agentCores, (double?)machineBusy)),
            new LimitMachine(2, null, Agents: 2));

        var result = await searcher.RunAsync(Searched(LimitSearch.Copies, 10, 1000), [], CancellationToken.None);

        Assert.Equal(label, result.Label);
        Assert.Equal(agentCores, result.Steps[^1].EngineCores);
    }

    [Fact]
    public async Task Search_WithAgents_MachineLoadUnknown_SaysAgentsOnTheSameCoresAreNotRuledOut()
    {
        var searcher = new LimitSearcher((s, _) =>
            Task.FromResult((Result(s, ((KeepConstant)s.Load[0]).Copies > 100 ? 400 : 10, 0.5), 1.0, (double?)null)),
            new LimitMachine(2, null, Agents: 1));

        var result = await searcher.RunAsync(Searched(LimitSearch.Copies, 10, 1000), [], CancellationToken.None);

        Assert.Equal("the target's limit (load from 1 agent; this machine's load is unknown, so agents on the target's cores are not ruled out)", result.Label);
    }

    [Fact]
    public void MachineCpu_ParsesProcStat_BusyIsAllButIdleAndIowait()
    {
        Assert.Equal((60L, 100L), MachineCpu.Parse("cpu  30 5 20 35 5 3 2 0 0 0"));
        Assert.Null(MachineCpu.Parse("intr 1 2 3"));
    }

    [Fact]
    public async Task Search_Cancelled_KeepsTheStepsDoneMarkedIncomplete()
    {
        using var cancel = new CancellationTokenSource();
        var runs = 0;
        var searcher = new LimitSearcher((s, ct) =>
        {
            if (++runs == 3)
            {
                cancel.Cancel();
                ct.ThrowIfCancellationRequested();
            }

            return Task.FromResult((Result(s, 10, 0.1), 0.1, (double?)null));
        }, new LimitMachine(2, null));
        var steps = new List<ScenarioResult>();

        var result = await searcher.RunAsync(Searched(LimitSearch.Copies, 10, 1000), steps, cancel.Token);

        Assert.False(result.Complete);
        Assert.Equal(2, result.Steps.Count);
        Assert.Equal(2, steps.Count);
        Assert.Equal(20, result.HighestMet);
    }

    [Fact]
    public async Task Search_ConnectsRefused_NamesConnectErrors()
    {
        var searcher = new LimitSearcher((s, ct) =>
        {
            var copies = ((KeepConstant)s.Load[0]).Copies;
            var result = Result(s, 10, 0.2);
            return Task.FromResult((copies <= 40 ? result : result with
            {
                Errors = new ErrorsResult { Count = 50, Rate = 0.5, ByKind = new Dictionary<string, long> { ["connect_refused"] = 50 } },
                Throughput = result.Throughput with { Requests = 100 },
            }, 0.1, (double?)null));
        }, new LimitMachine(8, null));

        var result = await searcher.RunAsync(Searched(LimitSearch.Copies, 10, 1000), [], CancellationToken.None);

        Assert.Equal("connect errors", result.Bottleneck);
        Assert.StartsWith("errors/rate <= 0.1% (was 50%", result.BrokenRule);
    }

    [Fact]
    public void MaxSteps_CountsDoublingsAndBisections()
    {
        Assert.Equal(8 + 4, new LimitSearch(LimitSearch.Copies, 50, 6400, TimeSpan.FromSeconds(5), Slo).MaxSteps);
        Assert.Equal(1 + 4, new LimitSearch(LimitSearch.Copies, 50, 50, TimeSpan.FromSeconds(5), Slo).MaxSteps);
    }

    private static ScenarioResult Result(Scenario scenario, double latencyMs, double targetCores)
    {
        var histogram = HistogramCodec.NewHistogram();
        for (var i = 0; i < 100; i++)
        {
            histogram.RecordValue((long)(latencyMs * 1000));
        }

        return new ScenarioResult
        {
            Name = scenario.Name,
            Transport = scenario.Transport,
            LoadSimulation = scenario.DescribeLoad(),
            Clients = ((KeepConstant)scenario.Load[0]).Copies,
            PublishRatePerSecond = scenario.Feed.RatePerSecond,
            PayloadBytes = 256,
            WarmUpSeconds = 0,
            DurationSeconds = 5,
            Latency = new LatencyResult { Event = LatencySummaries.FromHistogram(histogram) },
            Throughput = new ThroughputResult { EventsDelivered = 100, EventsPerSecond = 20, Requests = 0, RequestsPerSecond = 0 },
            Bytes = ResultFigures.Bytes(100, 10, 10, 100),
            Integrity = new IntegrityResult { Lost = 0, Duplicates = 0, Reorders = 0, Reconnects = 0, GoneSignals = 0 },
            Errors = new ErrorsResult { Count = 0, Rate = 0, ByKind = new Dictionary<string, long>() },
            Server = ResultFigures.ServerCost(targetCores * 5000, targetCores, 1, 1, 100, 1),
            TimeSeries = [],
        };
    }
}
