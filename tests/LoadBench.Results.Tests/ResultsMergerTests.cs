namespace LoadBench.Results.Tests;

public sealed class ResultsMergerTests
{
    private static readonly long[] EventsA = ResultsSamples.Latencies(seed: 1, count: 3000);
    private static readonly long[] EventsB = ResultsSamples.Latencies(seed: 2, count: 7000).Select(v => v * 3).ToArray();
    private static readonly long[] RequestsA = ResultsSamples.Latencies(seed: 3, count: 500);
    private static readonly long[] RequestsB = ResultsSamples.Latencies(seed: 4, count: 800);

    [Fact]
    public void Merge_TwoDocuments_EqualsRecordingAllSamplesInOneHistogram()
    {
        var a = ResultsSamples.Document(EventsA, RequestsA, [EventsA[..1000], EventsA[1000..]], clients: 10);
        var b = ResultsSamples.Document(EventsB, RequestsB, [EventsB[..4000], EventsB[4000..]], clients: 30);

        var merged = ResultsMerger.Merge(a, b).Scenarios.Single();

        var all = ResultsSamples.Histogram(EventsA.Concat(EventsB));
        var mergedHistogram = HistogramCodec.Decode(merged.Latency.Event.Histogram);
        Assert.Equal(ResultsSamples.Buckets(all), ResultsSamples.Buckets(mergedHistogram));
        Assert.Equal(LatencySummaries.FromHistogram(all), merged.Latency.Event);

        var allRequests = ResultsSamples.Histogram(RequestsA.Concat(RequestsB));
        Assert.Equal(LatencySummaries.FromHistogram(allRequests), merged.Latency.Request);

        // Percentiles come from the summed histogram, not an average of the two p99s.
        var averagedP99 = (a.Scenarios[0].Latency.Event.P99Ms + b.Scenarios[0].Latency.Event.P99Ms) / 2;
        Assert.NotEqual(averagedP99, merged.Latency.Event.P99Ms);
    }

    [Fact]
    public void Merge_TimeSeries_AddsEachSecondsHistogram()
    {
        var a = ResultsSamples.Document(EventsA, RequestsA, [EventsA[..1000], EventsA[1000..]], clients: 10);
        var b = ResultsSamples.Document(EventsB, RequestsB, [EventsB[..4000], EventsB[4000..]], clients: 30);

        var series = ResultsMerger.Merge(a, b).Scenarios.Single().TimeSeries;

        Assert.Equal(2, series.Count);
        var second1 = ResultsSamples.Histogram(EventsA[..1000].Concat(EventsB[..4000]));
        Assert.Equal(5000, series[0].EventsPerSecond);
        Assert.Equal(40, series[0].Clients);
        Assert.Equal(LatencySummaries.PercentileMs(second1, 99), series[0].P99Ms);
        Assert.Equal(LatencySummaries.PercentileMs(second1, 50), series[0].P50Ms);
    }

    [Fact]
    public void Merge_Counters_AreAddedAndRatiosRecomputed()
    {
        var a = ResultsSamples.Document(EventsA, RequestsA, [EventsA], clients: 10, errors: 5);
        var b = ResultsSamples.Document(EventsB, RequestsB, [EventsB], clients: 30, errors: 8);

        var m = ResultsMerger.Merge(a, b).Scenarios.Single();

        Assert.Equal(10_000, m.Throughput.EventsDelivered);
        Assert.Equal(1000, m.Throughput.EventsPerSecond); // 300/s + 700/s side by side
        Assert.Equal(1300, m.Throughput.Requests);
        Assert.Equal(0.5, m.Throughput.EmptyResponseShare);
        Assert.Equal(40, m.Clients);
        Assert.Equal(10_000 * 100, m.Bytes.Payload);
        Assert.Equal(1300 * 150, m.Bytes.Headers);
        Assert.Equal((10_000 * 102.0 + 1300 * 150) / 10_000, m.Bytes.PerEvent.Total);
        Assert.Equal(new IntegrityResult { Lost = 2, Duplicates = 4, Reorders = 6, Reconnects = 8, GoneSignals = 10 }, m.Integrity);
        Assert.Equal(13, m.Errors.Count);
        Assert.Equal(13, m.Errors.ByKind["http_503"]);
        Assert.Equal(13.0 / 1300, m.Errors.Rate);
        // Two engines that started their own targets measured two target processes: costs add up.
        Assert.Equal(400, m.Server.CpuMs);
        Assert.Equal(400 * 1000.0 / 10_000, m.Server.CpuMsPer1000Events);
        Assert.Equal(20_000_000 / 1024.0 / 40, m.Server.KibPerConnection);
    }

    [Fact]
    public void Merge_SharedRunningTarget_TakesTheServerFiguresOnce()
    {
        var a = ResultsSamples.Document(EventsA, RequestsA, [EventsA], clients: 10, targetStartedByEngine: false);
        var b = ResultsSamples.Document(EventsB, RequestsB, [EventsB], clients: 30, targetStartedByEngine: false);

        var m = ResultsMerger.Merge(a, b).Scenarios.Single();

        Assert.Equal(200, m.Server.CpuMs);
        Assert.Equal(10_000_000 / 1024.0 / 40, m.Server.KibPerConnection);
    }

    [Fact]
    public void Merge_DifferentScenarioFiles_IsRefused()
    {
        var a = ResultsSamples.Document(EventsA, RequestsA, [EventsA], clients: 10, hash: "aaaa");
        var b = ResultsSamples.Document(EventsB, RequestsB, [EventsB], clients: 30, hash: "bbbb");

        var ex = Assert.Throws<ResultsFormatException>(() => ResultsMerger.Merge(a, b));
        Assert.Contains("different scenario files", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_ThenWriteAndRead_KeepsTheMergedHistogram()
    {
        var a = ResultsSamples.Document(EventsA, RequestsA, [EventsA], clients: 10);
        var b = ResultsSamples.Document(EventsB, RequestsB, [EventsB], clients: 30);
        var merged = ResultsMerger.Merge(a, b);

        var read = ResultsFile.Parse(ResultsFile.Serialize(merged), "merged.json");

        Assert.Equal(merged.Scenarios[0].Latency.Event, read.Scenarios[0].Latency.Event);
    }
}
