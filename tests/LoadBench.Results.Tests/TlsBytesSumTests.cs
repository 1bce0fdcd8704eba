namespace LoadBench.Results.Tests;

/// <summary>The TLS part survives every sum of byte figures — merged processes or agents, pooled trials — added up,
/// never averaged, with the total again the socket bytes.</summary>
public sealed class TlsBytesSumTests
{
    private static readonly long[] EventsA = ResultsSamples.Latencies(seed: 31, count: 300);
    private static readonly long[] EventsB = ResultsSamples.Latencies(seed: 32, count: 700);
    private static readonly long[] Requests = ResultsSamples.Latencies(seed: 33, count: 50);

    /// <summary>The sample document with <paramref name="tls"/> TLS bytes on top of its plaintext split.</summary>
    private static ResultsDocument WithTls(long[] events, long? tls)
    {
        var document = ResultsSamples.Document(events, Requests, [events], clients: 10);
        var scenario = document.Scenarios[0];
        var bytes = scenario.Bytes;
        if (tls is { } t)
        {
            var events1 = bytes.Events!.Value;
            bytes = bytes with
            {
                Tls = t,
                Total = bytes.Total + t,
                PerEvent = bytes.PerEvent with { Tls = (double)t / events1, Total = (double)(bytes.Total + t) / events1 },
            };
        }

        return document with { Scenarios = [scenario with { Bytes = bytes }] };
    }

    [Fact]
    public void Merge_TwoTlsParts_TlsIsTheirSum_AndTheTotalHoldsIt()
    {
        // A: 300 events × (100 payload + 2 framing) + 50 × 150 headers = 38,100 plaintext, 4,000 TLS;
        // B: 700 × 102 + 7,500 = 78,900 plaintext, 9,000 TLS.
        var merged = ResultsMerger.Merge(WithTls(EventsA, 4000), WithTls(EventsB, 9000)).Scenarios.Single().Bytes;

        Assert.Equal(13_000, merged.Tls);
        Assert.Equal(38_100 + 78_900 + 13_000, merged.Total);
        Assert.Equal(merged.Payload + merged.Framing + merged.Headers + merged.Tls, merged.Total);
        Assert.Equal(13.0, merged.PerEvent.Tls!.Value, precision: 12);
        Assert.Equal(130.0, merged.PerEvent.Total, precision: 12);
    }

    [Fact]
    public void Pool_ThreeTlsTrials_TlsIsTheirSum()
    {
        var trials = new[] { WithTls(EventsA, 4000), WithTls(EventsB, 9000), WithTls(EventsA, 5000) }.Select(d => d.Scenarios[0]).ToList();

        var pooled = TrialPooler.Pool(trials).Bytes;

        Assert.Equal(18_000, pooled.Tls);
        Assert.Equal(trials.Sum(t => t.Bytes.Total), pooled.Total);
        Assert.Equal(18_000.0 / 1300, pooled.PerEvent.Tls!.Value, precision: 12);
    }

    [Fact]
    public void Sums_OfPlainParts_HaveNoTlsPart()
    {
        var merged = ResultsMerger.Merge(WithTls(EventsA, null), WithTls(EventsB, null)).Scenarios.Single().Bytes;
        var summed = ResultFigures.SumBytes([WithTls(EventsA, null).Scenarios[0].Bytes, WithTls(EventsB, null).Scenarios[0].Bytes])!;

        Assert.Null(merged.Tls);
        Assert.Null(merged.PerEvent.Tls);
        Assert.Null(summed.Tls);
        Assert.Equal(38_100 + 78_900, merged.Total);
    }
}
