using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Results;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Running;

/// <summary><c>--repeat</c>: the runner with fake clients and a fake target on a fake clock, so six runs take no real time.</summary>
[Collection(FakeClockGroup.Name)]
public sealed class RepeatedTrialsTests
{
    // Fake time the whole run may take before the test fails (six runs of 0.6 s, each with its drain and stop).
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private readonly FakeTimeProvider _time = new();

    private Task<ResultsDocument> RunAsync(ScenarioPlan plan, FakeTarget target, RunOptions options, IProgress<RunProgress>? progress) =>
        _time.RunAsync(() => ScenarioRunner.RunAsync(plan, target, targetStartedByEngine: false, options, progress, CancellationToken.None), Limit);

    private static Scenario Closed(string transport, int copies, double rate = 20) => new()
    {
        Name = $"{transport}_{copies}_{rate}",
        Transport = transport,
        Load = [new KeepConstant(copies, TimeSpan.FromSeconds(0.6))],
        Feed = new FeedSpec(rate, 64),
    };

    [Fact]
    public void Order_InterleavesEachSetupsTransports_AndTurnsTheirOrderEveryTrial()
    {
        // Two setups (2 and 5 clients) of three transports, listed transport by transport as the matrix expands.
        IReadOnlyList<Scenario> scenarios =
        [
            Closed(TransportIds.Polling, 2), Closed(TransportIds.Polling, 5),
            Closed(TransportIds.Sse, 2), Closed(TransportIds.Sse, 5),
            Closed(TransportIds.WebSocket, 2), Closed(TransportIds.WebSocket, 5),
        ];

        var order = RepeatedTrials.Order(scenarios, repeat: 3);

        Assert.Equal([0, 2, 4, 2, 4, 0, 4, 0, 2, 1, 3, 5, 3, 5, 1, 5, 1, 3], order);
    }

    [Fact]
    public async Task RunAsync_Repeat3_KeepsEveryTrialAndPoolsTheirHistogramsExactly()
    {
        var fakes = new FakeClients();
        var target = new FakeTarget(fakes, _time);
        var plan = ScenarioPlan.FromScenarios("repeat_test", [Closed(TransportIds.Sse, 2), Closed(TransportIds.WebSocket, 2)]);
        // Run i (in the order the runner runs them) delivers 3 events to each of its 2 clients, all taking
        // (i + 1) ms, so every trial is told apart by its latency and the pool has one known truth.
        var delivered = new Dictionary<int, (string Scenario, long Micros)>();
        var progress = new InlineProgress(p =>
        {
            if (p.Phase == RunPhase.Measured && p.Elapsed > TimeSpan.Zero && !delivered.ContainsKey(p.Index))
            {
                var micros = (p.Index + 1) * 1_000L;
                fakes.DeliverToRunning(3, micros);
                delivered[p.Index] = (p.Scenario, micros);
            }
        });
        var options = new RunOptions
        {
            ClientFactory = o => fakes.Create(o, requestDriven: false),
            DrainTimeout = TimeSpan.FromSeconds(0.3),
            SampleInterval = TimeSpan.FromSeconds(0.2),
            TargetWarmUp = TimeSpan.Zero,
            TimeProvider = _time,
            Repeat = 3,
        };

        var results = await RunAsync(plan, target, options, progress);

        // Interleaved: SSE, WebSocket; then WebSocket, SSE; then SSE, WebSocket.
        Assert.Equal(
            ["sse_2_20", "ws_2_20", "ws_2_20", "sse_2_20", "sse_2_20", "ws_2_20"],
            Enumerable.Range(0, 6).Select(i => delivered[i].Scenario));
        Assert.Equal(["sse_2_20", "ws_2_20"], results.Scenarios.Select(s => s.Name)); // plan order
        foreach (var scenario in results.Scenarios)
        {
            var runs = delivered.Where(d => d.Value.Scenario == scenario.Name).OrderBy(d => d.Key).Select(d => d.Value.Micros).ToList();
            var trials = scenario.Trials!;
            Assert.Equal(3, trials.Count);
            for (var t = 0; t < 3; t++)
            {
                // Each trial holds its own run's events only: 2 clients × 3 events at that run's latency.
                Assert.Equal(6, trials[t].Latency.Event.Count);
                Assert.Equal(runs[t] / 1000.0, trials[t].Latency.Event.MaxMs, 2);
                Assert.Equal(runs[t] / 1000.0, trials[t].Latency.Event.P50Ms, 2);
                Assert.Null(trials[t].Trials);
            }

            // The pool is exactly the histogram of all 18 events, recorded here independently.
            var all = HistogramCodec.NewHistogram();
            foreach (var micros in runs)
            {
                all.RecordValueWithCount(micros, 6);
            }

            Assert.Equal(LatencySummaries.FromHistogram(all), scenario.Latency.Event);
            Assert.Equal(18, scenario.Throughput.EventsDelivered);
            Assert.Equal(trials.Sum(t => t.DurationSeconds), scenario.DurationSeconds, 9);
            Assert.Equal(2, scenario.Clients);
        }

        // The document survives a write and a read with its trials.
        var read = ResultsFile.Parse(ResultsFile.Serialize(results), "results.json");
        Assert.Equal(results.Scenarios[1].Trials![2].Latency.Event, read.Scenarios[1].Trials![2].Latency.Event);
    }

    [Fact]
    public async Task RunAsync_RepeatOne_WritesNoTrials()
    {
        var fakes = new FakeClients();
        var plan = ScenarioPlan.FromScenarios("once", [Closed(TransportIds.Sse, 1)]);
        var options = new RunOptions
        {
            ClientFactory = o => fakes.Create(o, requestDriven: false),
            DrainTimeout = TimeSpan.FromSeconds(0.3),
            TargetWarmUp = TimeSpan.Zero,
            TimeProvider = _time,
        };

        var results = await RunAsync(plan, new FakeTarget(fakes, _time), options, null);

        Assert.Null(Assert.Single(results.Scenarios).Trials);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ScenarioRunner.RunAsync(
            plan, new FakeTarget(fakes, _time), targetStartedByEngine: false, options with { Repeat = 0 }, null, CancellationToken.None));
    }
}
