namespace LoadBench.Results.Tests;

public sealed class TrialPoolerTests
{
    private static readonly long[][] Events = [ResultsSamples.Latencies(seed: 11, count: 2000), ResultsSamples.Latencies(seed: 12, count: 3000), ResultsSamples.Latencies(seed: 13, count: 1000)];
    private static readonly long[][] Requests = [ResultsSamples.Latencies(seed: 21, count: 400), ResultsSamples.Latencies(seed: 22, count: 500), ResultsSamples.Latencies(seed: 23, count: 100)];

    /// <summary>Trial i: the sample document's scenario with its own events, 10 s measured, 10 clients.</summary>
    private static ScenarioResult Trial(int i, long errors = 0) => ResultsSamples.Document(
        Events[i], Requests[i], [Events[i][..500], Events[i][500..]], clients: 10, errors: errors).Scenarios.Single();

    private static ScenarioResult[] ThreeTrials() => [Trial(0, errors: 1), Trial(1, errors: 2), Trial(2, errors: 4)];

    [Fact]
    public void Pool_ThreeTrials_EventHistogramEqualsRecordingEveryTrialsSamplesInOne()
    {
        var pooled = TrialPooler.Pool(ThreeTrials());

        var all = ResultsSamples.Histogram(Events.SelectMany(e => e));
        Assert.Equal(ResultsSamples.Buckets(all), ResultsSamples.Buckets(HistogramCodec.Decode(pooled.Latency.Event.Histogram)));
        Assert.Equal(LatencySummaries.FromHistogram(all), pooled.Latency.Event);
        Assert.Equal(LatencySummaries.FromHistogram(ResultsSamples.Histogram(Requests.SelectMany(r => r))), pooled.Latency.Request);
    }

    [Fact]
    public void Pool_Counters_AreAddedAndRatesComeFromTheSummedMeasuredTime()
    {
        var trials = ThreeTrials();

        var pooled = TrialPooler.Pool(trials);

        // 6,000 events in 3 × 10 s: 200/s — the trials ran one after another, so rates do not add.
        Assert.Equal(6000, pooled.Throughput.EventsDelivered);
        Assert.Equal(30, pooled.DurationSeconds);
        Assert.Equal(200, pooled.Throughput.EventsPerSecond, 9);
        Assert.Equal(1000, pooled.Throughput.Requests);
        Assert.Equal(1000 / 30.0, pooled.Throughput.RequestsPerSecond, 9);
        Assert.Equal(0.5, pooled.Throughput.EmptyResponseShare!.Value, 12);
        Assert.Equal(10, pooled.Clients); // the same ten clients each time, not thirty
        Assert.Equal(6000 * 100, pooled.Bytes.Payload);
        Assert.Equal((6000 * 102.0 + 1000 * 150) / 6000, pooled.Bytes.PerEvent.Total, 12);
        Assert.Equal(new IntegrityResult { Lost = 3, Duplicates = 6, Reorders = 9, Reconnects = 12, GoneSignals = 15 }, pooled.Integrity);
        Assert.Equal(7, pooled.Errors.Count);
        Assert.Equal(7, pooled.Errors.ByKind["http_503"]);
        Assert.Equal(7.0 / 1000, pooled.Errors.Rate, 12);
        // Each trial: 200 ms of CPU at 0.02 cores (10 s of wall time), 10 MB grown over 10 clients.
        Assert.Equal(600, pooled.Server.CpuMs);
        Assert.Equal(600 * 1000.0 / 6000, pooled.Server.CpuMsPer1000Events!.Value, 12);
        Assert.Equal(0.02, pooled.Server.CpuCores, 12);
        Assert.Equal(10_000_000 / 1024.0 / 10, pooled.Server.KibPerConnection!.Value, 9);
    }

    [Fact]
    public void Pool_NginxCost_AddsCpuOverTheSummedWallTime_PeakIsTheHighest_AbsentUnlessEveryTrialHasOne()
    {
        // Two trials of one scenario via nginx: 100 ms over 2 s and 300 ms over 3 s of CPU; 1 and 3 KiB per connection.
        var trials = ThreeTrials()[..2];
        trials[0] = trials[0] with { Proxy = ProxyCostResult.Create("loadbench", 100, TimeSpan.FromSeconds(2), 1_000_000, 1_000_000 + 1024L * trials[0].Clients, 0, trials[0].Clients) };
        trials[1] = trials[1] with { Proxy = ProxyCostResult.Create("loadbench", 300, TimeSpan.FromSeconds(3), 2_000_000, 2_000_000 + 3072L * trials[1].Clients, 0, trials[1].Clients) };

        var pooled = TrialPooler.Pool(trials);

        var proxy = Assert.IsType<ProxyCostResult>(pooled.Proxy);
        Assert.Equal(400, proxy.CpuMs);
        Assert.Equal(400.0 / 5_000, proxy.CpuCores, 9);
        Assert.Equal(400 * 1000.0 / pooled.Throughput.EventsDelivered, proxy.CpuMsPer1000Events!.Value, 9);
        Assert.Equal(1_000_000, proxy.ResidentBytesBefore);
        Assert.Equal(2_000_000 + 3072L * trials[1].Clients, proxy.ResidentBytesPeak);
        Assert.Equal((1.0 * trials[0].Clients + 3.0 * trials[1].Clients) / (trials[0].Clients + trials[1].Clients), proxy.KibPerConnection!.Value, 9);
        Assert.Null(TrialPooler.Pool([trials[0], ThreeTrials()[2]]).Proxy);
    }

    [Fact]
    public void Pool_KeepsEveryTrialInOrder_AndLaysTheirSecondsEndToEnd()
    {
        var trials = ThreeTrials();

        var pooled = TrialPooler.Pool(trials);

        Assert.Equal(trials, pooled.Trials);
        Assert.Equal([1, 2, 11, 12, 21, 22], pooled.TimeSeries.Select(p => p.T));
        Assert.Equal(trials.SelectMany(t => t.TimeSeries).Select(p => p.Histogram), pooled.TimeSeries.Select(p => p.Histogram));
    }

    [Fact]
    public void Pool_WriteAndRead_KeepsTheTrials_AndAFileWithoutTrialsReadsAsOneRun()
    {
        var single = ResultsSamples.Document(Events[0], Requests[0], [Events[0]], clients: 10);
        var repeated = single with { Scenarios = [TrialPooler.Pool(ThreeTrials())] };

        var read = ResultsFile.Parse(ResultsFile.Serialize(repeated), "results.json").Scenarios.Single();
        var readSingle = ResultsFile.Parse(ResultsFile.Serialize(single), "results.json").Scenarios.Single();

        Assert.Equal(3, read.Trials!.Count);
        Assert.Equal(repeated.Scenarios[0].Trials![1].Latency.Event, read.Trials[1].Latency.Event);
        Assert.Equal(repeated.Scenarios[0].Latency.Event, read.Latency.Event);
        Assert.Null(readSingle.Trials);
        Assert.DoesNotContain("\"trials\"", ResultsFile.Serialize(single), StringComparison.Ordinal);
    }

    [Fact]
    public void Pool_TrialsOfDifferentScenarios_IsRefused()
    {
        var other = Trial(1) with { Transport = "sse" };

        var ex = Assert.Throws<ResultsFormatException>(() => TrialPooler.Pool([Trial(0), other]));
        Assert.Contains("cannot pool", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_DocumentsWithTrials_MergesTrialByTrialAndPoolsAgain()
    {
        var a = ResultsSamples.Document(Events[0], Requests[0], [Events[0]], clients: 10);
        var b = ResultsSamples.Document(Events[1], Requests[1], [Events[1]], clients: 30);
        var twiceA = a with { Scenarios = [TrialPooler.Pool([a.Scenarios[0], a.Scenarios[0]])] };
        var twiceB = b with { Scenarios = [TrialPooler.Pool([b.Scenarios[0], b.Scenarios[0]])] };

        var merged = ResultsMerger.Merge(twiceA, twiceB).Scenarios.Single();

        Assert.Equal(2, merged.Trials!.Count);
        Assert.All(merged.Trials, t => Assert.Equal(40, t.Clients)); // side by side within a trial: clients add
        Assert.Equal(40, merged.Clients);
        var all = ResultsSamples.Histogram(Events[0].Concat(Events[1]).Concat(Events[0]).Concat(Events[1]));
        Assert.Equal(LatencySummaries.FromHistogram(all), merged.Latency.Event);
        Assert.Equal(500, merged.Throughput.EventsPerSecond, 9); // 200/s + 300/s in each trial
    }

    [Fact]
    public void Merge_DifferentTrialCounts_IsRefused()
    {
        var a = ResultsSamples.Document(Events[0], Requests[0], [Events[0]], clients: 10);
        var repeated = a with { Scenarios = [TrialPooler.Pool([a.Scenarios[0], a.Scenarios[0]])] };

        var ex = Assert.Throws<ResultsFormatException>(() => ResultsMerger.Merge(repeated, a));
        Assert.Contains("2 and 1 trial(s)", ex.Message, StringComparison.Ordinal);
    }
}
