using LoadBench.Contracts;
using LoadBench.Reporting.Tests.TestSupport;

namespace LoadBench.Reporting.Tests.Insights;

/// <summary>"What this means" names a transport better only when the difference is beyond noise.</summary>
public sealed class NoiseAwareComparisonTests
{
    private static string Lead(ResultsDocumentSentences sentences) => Assert.Single(sentences.All, s => s.StartsWith("With ", StringComparison.Ordinal));

    [Fact]
    public void Trials_DifferingByLessThanTheirSpread_AreWithinNoise_WithTheNumbers()
    {
        // WebSocket's and SSE's five trials interleave: 30–46 ms against 32–48 ms.
        var results = NoisyResults.Document(
            NoisyResults.WithTrials(TransportIds.Sse, 36, 48, 32, 44, 40),
            NoisyResults.WithTrials(TransportIds.WebSocket, 38, 30, 46, 34, 42));

        var sentences = new ResultsDocumentSentences(results);
        var lead = Lead(sentences);

        Assert.Contains("were within noise of each other", lead, StringComparison.Ordinal);
        Assert.DoesNotContain("had the lowest", lead, StringComparison.Ordinal);
        // Medians and ranges of the hand-set trials (p99 of each trial's histogram, within HdrHistogram's 0.1%).
        Assert.Matches(@"38\.\d+ ms \(30\.\d+–46\.\d+\) for WebSocket", lead);
        Assert.Matches(@"40\.\d+ ms \(32\.\d+–48\.\d+; p = 0\.\d+\) for Server-Sent Events", lead);
        Assert.Contains(sentences.All, s => s.Contains("median of 5 trials", StringComparison.Ordinal) && s.Contains("Mann–Whitney", StringComparison.Ordinal));
    }

    [Fact]
    public void Trials_ClearlyDifferentAcrossFiveEach_NamesTheBetterOneWithThePValue()
    {
        var results = NoisyResults.Document(
            NoisyResults.WithTrials(TransportIds.Sse, 52, 55, 50, 58, 53),
            NoisyResults.WithTrials(TransportIds.WebSocket, 38, 36, 41, 37, 39));

        var lead = Lead(new ResultsDocumentSentences(results));

        // Every WebSocket trial below every SSE trial: two-sided exact p = 2 / C(10, 5) = 2/252 = 0.0079.
        Assert.StartsWith("With 100 clients, 10 events/s and a 256 B payload, WebSocket had the lowest p99 latency (publish → receive): 38.", lead, StringComparison.Ordinal);
        Assert.Matches(@"against 53\.\d+ ms \(50\.\d+–58\.\d+; p = 0\.008\) for Server-Sent Events", lead);
    }

    [Fact]
    public void Trials_TwoTiedAndOneClearlyHigher_NamesBothLowestAndTheHigherOne()
    {
        var results = NoisyResults.Document(
            NoisyResults.WithTrials(TransportIds.LongPolling, 90, 95, 99, 92, 97),
            NoisyResults.WithTrials(TransportIds.Sse, 36, 48, 32, 44, 40),
            NoisyResults.WithTrials(TransportIds.WebSocket, 38, 30, 46, 34, 42));

        var lead = Lead(new ResultsDocumentSentences(results));

        Assert.Contains("WebSocket and Server-Sent Events had the lowest p99 latencies (publish → receive), within noise of each other", lead, StringComparison.Ordinal);
        Assert.Matches(@"; 95\.\d+ ms \(90\.\d+–99\.\d+; p = 0\.008\) for long polling was higher\.$", lead);
    }

    [Fact]
    public void Trials_ThreeEachFullyApart_NameTheBetterOne_AtTheSmallestPValueThreeTrialsCanGive()
    {
        // Every WebSocket trial below every SSE trial: two-sided exact p = 2 / C(6, 3) = 2/20 = 0.1, the level α.
        var results = NoisyResults.Document(
            NoisyResults.WithTrials(TransportIds.Sse, 52, 55, 50),
            NoisyResults.WithTrials(TransportIds.WebSocket, 38, 36, 41));

        var sentences = new ResultsDocumentSentences(results);
        var lead = Lead(sentences);

        Assert.StartsWith("With 100 clients, 10 events/s and a 256 B payload, WebSocket had the lowest p99 latency (publish → receive): 38.", lead, StringComparison.Ordinal);
        Assert.Matches(@"against 52\.\d+ ms \(50\.\d+–55\.\d+; p = 0\.1\) for Server-Sent Events", lead);
        Assert.Contains(sentences.All, s => s.Contains("median of 3 trials", StringComparison.Ordinal) && s.Contains("p ≤ 0.1 against the lowest", StringComparison.Ordinal));
    }

    [Fact]
    public void Trials_ThreeEachOverlapping_AreWithinNoise()
    {
        var results = NoisyResults.Document(
            NoisyResults.WithTrials(TransportIds.Sse, 40, 45, 50),
            NoisyResults.WithTrials(TransportIds.WebSocket, 38, 47, 42));

        var lead = Lead(new ResultsDocumentSentences(results));

        Assert.Contains("were within noise of each other", lead, StringComparison.Ordinal);
        Assert.DoesNotContain("had the lowest", lead, StringComparison.Ordinal);
    }

    [Fact]
    public void Trials_TwoEach_SaysNoDifferenceCanBeSignificantAndHowManyTrialsCan()
    {
        // Fully apart, but two against two can give at best p = 2/6 = 0.33 two-sided.
        var results = NoisyResults.Document(
            NoisyResults.WithTrials(TransportIds.Sse, 52, 55),
            NoisyResults.WithTrials(TransportIds.WebSocket, 38, 36));

        var sentences = new ResultsDocumentSentences(results).All;

        Assert.Contains(sentences, s => s.Contains("WebSocket had the lowest median p99 latency", StringComparison.Ordinal));
        var why = Assert.Single(sentences, s => s.Contains("2 trials per transport", StringComparison.Ordinal));
        Assert.StartsWith("Every trial of Server-Sent Events lay above every trial of WebSocket, but with 2 trials per transport", why, StringComparison.Ordinal);
        Assert.Contains("no difference can be significant at α = 0.1 (the smallest possible two-sided p-value is 0.33", why, StringComparison.Ordinal);
        Assert.Contains("--repeat 3 or more", why, StringComparison.Ordinal);
        Assert.DoesNotContain(sentences, s => s.Contains("had the lowest p99 latency", StringComparison.Ordinal));
    }

    [Fact]
    public void Trials_TwoEachOverlapping_SayOnlyThatTheTrialsAreTooFew()
    {
        var results = NoisyResults.Document(
            NoisyResults.WithTrials(TransportIds.Sse, 40, 45),
            NoisyResults.WithTrials(TransportIds.WebSocket, 38, 47));

        var sentences = new ResultsDocumentSentences(results).All;

        Assert.Single(sentences, s => s.StartsWith("With 2 trials per transport no difference can be significant", StringComparison.Ordinal));
        Assert.DoesNotContain(sentences, s => s.Contains("lay above", StringComparison.Ordinal));
    }

    [Fact]
    public void OneRun_IntervalsOverlap_AreWithinNoise_AndSayHowManySecondsTheyRestOn()
    {
        // Both transports' seconds swing the same way: one slow second each, at a different time.
        double[][] Seconds(double calmHigh, double slowHigh, int slowAt) => [.. Enumerable.Range(0, 6).Select(i =>
            NoisyResults.Spread(1, i == slowAt ? slowHigh : calmHigh, 200, seed: i + (int)calmHigh))];
        var results = NoisyResults.Document(
            NoisyResults.WithSeconds(TransportIds.Sse, Seconds(10, 30, 1)),
            NoisyResults.WithSeconds(TransportIds.WebSocket, Seconds(9, 28, 4)));

        var sentences = new ResultsDocumentSentences(results).All;
        var lead = Assert.Single(sentences, s => s.StartsWith("With ", StringComparison.Ordinal));

        Assert.Contains("were within noise of each other", lead, StringComparison.Ordinal);
        Assert.Contains("(95% interval ", lead, StringComparison.Ordinal);
        Assert.Contains(sentences, s => s.Contains("95% bootstrap interval over its 6 one-second histograms", StringComparison.Ordinal)
            && s.Contains("--repeat 3", StringComparison.Ordinal));
    }

    [Fact]
    public void OneRun_IntervalsApart_NamesTheLowest()
    {
        double[][] Seconds(double low, double high) => [.. Enumerable.Range(0, 5).Select(i => NoisyResults.Spread(low, high, 300, seed: i))];
        var results = NoisyResults.Document(
            NoisyResults.WithSeconds(TransportIds.Sse, Seconds(10, 20)),
            NoisyResults.WithSeconds(TransportIds.WebSocket, Seconds(1, 3)));

        var lead = Lead(new ResultsDocumentSentences(results));

        Assert.StartsWith("With 100 clients, 10 events/s and a 256 B payload, WebSocket had the lowest p99 latency (publish → receive): 2.9", lead, StringComparison.Ordinal);
        Assert.Contains("for Server-Sent Events.", lead, StringComparison.Ordinal);
    }

    /// <summary>The sentences of one document.</summary>
    private sealed class ResultsDocumentSentences(LoadBench.Results.ResultsDocument results)
    {
        public IReadOnlyList<string> All { get; } = ReportWriter.Explain(results);
    }
}
