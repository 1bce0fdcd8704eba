using LoadBench.Contracts;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests.Insights;

public sealed class WhatThisMeansTests
{
    [Fact]
    public void Explain_SampleResults_NamesTheTransportWithTheLowestP99AtTheMostClients()
    {
        // Independent truth: the sample's hand-set p99s at 100 clients.
        var lowest = SampleResults.P99MsAt100.MinBy(kv => kv.Value).Key;
        Assert.Equal(TransportIds.WebSocket, lowest);

        var sentence = Assert.Single(ReportWriter.Explain(SampleResults.Create()), s => s.Contains("lowest p99", StringComparison.Ordinal));
        Assert.Contains($"{TransportIds.DisplayName(lowest)} had the lowest p99 latency", sentence, StringComparison.Ordinal);
        Assert.StartsWith("With 100 clients, 10 events/s and a 256 B payload", sentence, StringComparison.Ordinal);
        Assert.Contains("480.3 ms for short polling", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_SseMadeFastest_NamesSse()
    {
        var results = SampleResults.Create();
        var sse100 = results.Scenarios.Single(s => s.Name == "sse_100_clients");
        var faster = sse100 with { Latency = new LatencyResult { Event = SampleResults.Summary(SampleResults.TwoValueHistogram(0.2, 0.8, 10_000)) } };
        results = results with { Scenarios = [.. results.Scenarios.Select(s => s == sse100 ? faster : s)] };

        var sentence = Assert.Single(ReportWriter.Explain(results), s => s.Contains("lowest p99", StringComparison.Ordinal));
        Assert.Contains("Server-Sent Events had the lowest p99 latency (publish → receive): 0.8 ms", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_SampleResults_ComparesHeaderBytesPerEventOfPollingAndStreaming()
    {
        var sentence = Assert.Single(ReportWriter.Explain(SampleResults.Create()), s => s.Contains("bytes of HTTP headers", StringComparison.Ordinal));
        // 300 B per event for polling against 0.25 B for WebSocket: 1,200 times.
        Assert.Contains("short polling spent 300 bytes of HTTP headers per delivered event", sentence, StringComparison.Ordinal);
        Assert.Contains("0.5 for Server-Sent Events and 0.25 for WebSocket", sentence, StringComparison.Ordinal);
        Assert.Contains("1,200 times WebSocket's", sentence, StringComparison.Ordinal);
        Assert.Contains("90% of its polls came back empty", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_PollingThroughputFlattens_ReportsSaturationForPollingOnly()
    {
        var sentences = ReportWriter.Explain(SampleResults.Create());
        var saturation = Assert.Single(sentences, s => s.Contains("saturation", StringComparison.Ordinal));
        // 10 → 100 clients (×10) while events/s went 100 → 600 (×6): below the 80% in-step threshold.
        Assert.StartsWith("Short polling's delivered events/s stopped growing in step with clients between 10 and 100 clients", saturation, StringComparison.Ordinal);
        Assert.Contains("clients ×10, events/s ×6 (100 → 600)", saturation, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_EveryTransportKeepsUp_SaysNoSaturation()
    {
        var results = SampleResults.Create();
        var fixedPolling = results.Scenarios.Select(s => s.Name == "poll_100_clients"
            ? s with { Throughput = s.Throughput with { EventsPerSecond = 1000, EventsDelivered = 10_000 } }
            : s);
        var sentences = ReportWriter.Explain(results with { Scenarios = [.. fixedPolling] });
        Assert.DoesNotContain(sentences, s => s.Contains("stopped growing", StringComparison.Ordinal));
        Assert.Contains(sentences, s => s.Contains("grew in step with the number of clients", StringComparison.Ordinal) && s.Contains("up to 100 clients", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_LossAndErrors_NameTheScenarioAndTheCounts()
    {
        var sentences = ReportWriter.Explain(SampleResults.Create());
        var sentence = Assert.Single(sentences, s => s.Contains("lost", StringComparison.Ordinal) && !s.Contains("No transport", StringComparison.Ordinal));
        Assert.Equal(
            $"Long polling (longpoll_100_clients: 100 clients, 10 events/s and a 256 B payload) lost {SampleResults.LongPollingLost} events and had {SampleResults.LongPollingErrors} errors (0.04% of requests: http_503 ×2).",
            sentence);
        Assert.DoesNotContain(sentences, s => s.Contains("No transport lost", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_CleanRun_SaysNothingWasLost()
    {
        var results = SampleResults.Create();
        var clean = results.Scenarios.Select(s => s with
        {
            Integrity = s.Integrity with { Lost = 0 },
            Errors = new ErrorsResult { Count = 0, Rate = 0, ByKind = new Dictionary<string, long>() },
        });
        var sentences = ReportWriter.Explain(results with { Scenarios = [.. clean] });
        Assert.Contains("No transport lost, duplicated or reordered an event, and no request failed.", sentences);
    }

    [Fact]
    public void Explain_OneTransportOnly_MakesNoComparison()
    {
        var results = new ResultsDocument
        {
            Environment = SampleResults.Environment("fanout"),
            Scenarios = [SampleResults.Scenario(TransportIds.Sse, 10), SampleResults.Scenario(TransportIds.Sse, 100)],
        };
        var sentences = ReportWriter.Explain(results);
        Assert.DoesNotContain(sentences, s => s.Contains("lowest", StringComparison.Ordinal));
        Assert.DoesNotContain(sentences, s => s.Contains("HTTP headers", StringComparison.Ordinal));
        Assert.DoesNotContain(sentences, s => s.Contains("least CPU", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_CpuMissingForSomeTransports_ComparesOnlyThoseMeasured()
    {
        var results = SampleResults.Create();
        var partial = results.Scenarios.Select(s => s.Transport is TransportIds.Polling or TransportIds.WebSocket
            ? s with { Server = s.Server with { CpuMsPer1000Events = null } }
            : s);
        var sentence = Assert.Single(ReportWriter.Explain(results with { Scenarios = [.. partial] }), s => s.Contains("least CPU", StringComparison.Ordinal));
        Assert.Contains("least CPU time per 1,000 delivered events on Server-Sent Events (25 ms) and the most on long polling (60 ms)", sentence, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_NothingDelivered_SaysSoAndComparesNothing()
    {
        var empty = SampleResults.Scenario(TransportIds.WebSocket, 10) with
        {
            Latency = new LatencyResult { Event = SampleResults.Summary(HistogramCodec.NewHistogram()) },
            Throughput = new ThroughputResult { EventsDelivered = 0, EventsPerSecond = 0, Requests = 10, RequestsPerSecond = 1 },
            Bytes = ResultFigures.Bytes(0, 0, 0, 0),
        };
        var sentences = ReportWriter.Explain(new ResultsDocument { Environment = SampleResults.Environment(), Scenarios = [empty] });
        Assert.Equal("No scenario delivered an event, so there is nothing to compare.", sentences[0]);
        Assert.DoesNotContain(sentences, s => s.Contains("lowest", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_SingleSetup_LeadsWithoutExplainingTheChoice()
    {
        var results = new ResultsDocument { Environment = SampleResults.Environment("quick"), Scenarios = [.. TransportIds.All.Select(t => SampleResults.Scenario(t, 10))] };
        var sentence = Assert.Single(ReportWriter.Explain(results), s => s.Contains("lowest p99", StringComparison.Ordinal));
        // At 10 clients the sample halves its p99s: WebSocket 1.5 ms is still the lowest.
        Assert.StartsWith("With 10 clients, 10 events/s and a 256 B payload, WebSocket had the lowest p99 latency", sentence, StringComparison.Ordinal);
    }
}
