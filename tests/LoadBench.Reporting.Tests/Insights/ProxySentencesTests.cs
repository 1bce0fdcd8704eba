using LoadBench.Contracts;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests.Insights;

/// <summary>The report's sentences on scenarios run through a proxy: the legs, nginx's part of the cost, and the two
/// pitfalls with the numbers of the results (set by hand here).</summary>
public sealed class ProxySentencesTests
{
    private static ScenarioResult Via(string name, string via, double p50, double p99, long reconnects = 0, double? heartbeatMs = null) =>
        SampleResults.Scenario(TransportIds.Sse, 10) with
        {
            Name = name,
            Setup = new SetupResult { Via = via, HeartbeatMs = heartbeatMs },
            Latency = new LatencyResult { Event = SampleResults.Summary(SampleResults.TwoValueHistogram(p50, p99, 1_000)) },
            Integrity = new IntegrityResult { Lost = 0, Duplicates = 0, Reorders = 0, Reconnects = reconnects, GoneSignals = 0 },
        };

    private static IReadOnlyList<string> Explain(params ScenarioResult[] scenarios) =>
        ReportWriter.Explain(SampleResults.Create() with { Scenarios = scenarios });

    [Fact]
    public void Explain_BufferingOnBesideOff_GivesBothLatencies_AndTheLegs()
    {
        var (on, off) = (Via("sse_buffered", "sse-buffering-on", 600, 1_200), Via("sse_unbuffered", "loadbench", 1, 2));
        var sentences = Explain(on, off);

        var burst = Assert.Single(sentences, s => s.Contains("proxy_buffering on", StringComparison.Ordinal));
        // The histogram's own percentiles (3 significant digits), written as every figure in the report is.
        Assert.Contains($"p50 {Format.Ms(on.Latency.Event.P50Ms)} ms and p99 {Format.Ms(on.Latency.Event.P99Ms)} ms", burst, StringComparison.Ordinal);
        Assert.StartsWith("600", Format.Ms(on.Latency.Event.P50Ms), StringComparison.Ordinal);
        Assert.Contains($"against {Format.Ms(off.Latency.Event.P50Ms)} ms and {Format.Ms(off.Latency.Event.P99Ms)} ms with buffering off (sse_unbuffered)", burst, StringComparison.Ordinal);
        Assert.Single(sentences, s => s.Contains("client ↔ proxy leg only", StringComparison.Ordinal));
        Assert.DoesNotContain("never left it", burst, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_BufferingOn_SaysWhereItsLostEventsWere()
    {
        var on = Via("sse_buffered", "sse-buffering-on", 600, 1_200) with
        {
            Integrity = new IntegrityResult { Lost = 600, Duplicates = 0, Reorders = 0, Reconnects = 0, GoneSignals = 0 },
        };
        var burst = Assert.Single(Explain(on), s => s.Contains("proxy_buffering on", StringComparison.Ordinal));
        Assert.Contains("The 600 events counted lost were still in nginx's buffers", burst, StringComparison.Ordinal);
        Assert.DoesNotContain("with buffering off", burst, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_IdleTimeouts_CountReconnectsAgainstTheHeartbeat()
    {
        var sentences = Explain(Via("sse_idle_short", "idle-timeout-short", 1, 2, reconnects: 37, heartbeatMs: 5_000),
            Via("sse_idle_long", "idle-timeout-long", 1, 2, reconnects: 0, heartbeatMs: 5_000));

        var cut = Assert.Single(sentences, s => s.StartsWith("In sse_idle_short, nginx's idle timeout", StringComparison.Ordinal));
        Assert.Contains("shorter than the heartbeat (5,000 ms)", cut, StringComparison.Ordinal);
        Assert.Contains("37 reconnects over 10 clients, 0 events lost", cut, StringComparison.Ordinal);
        var kept = Assert.Single(sentences, s => s.StartsWith("In sse_idle_long, nginx's idle timeout", StringComparison.Ordinal));
        Assert.Contains("0 reconnects over 10 clients", kept, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_NginxCost_IsItsPartOfTheServerCost()
    {
        var scenario = Via("sse_nginx", "loadbench", 1, 2) with
        {
            Proxy = ProxyCostResult.Create("loadbench", cpuMs: 250, TimeSpan.FromSeconds(10), 4_000_000, 4_000_000 + 10 * 2048, events: 10_000, clients: 10),
        };
        var cost = Assert.Single(Explain(scenario), s => s.StartsWith("In sse_nginx, the server cost", StringComparison.Ordinal));
        // 250 ms over 10,000 events: 25 ms per 1,000; 2 KiB for each of 10 connections; the sample's server spent 25 ms per 1,000 events in all.
        Assert.Contains("includes nginx's 25 ms", cost, StringComparison.Ordinal);
        Assert.Contains("nginx held 2 KiB per connection", cost, StringComparison.Ordinal);
    }

    private static readonly BytesResult Wire = ResultFigures.Bytes(300_000, 40_000, 10_000, 1_000);

    [Fact]
    public void Explain_TlsAndHttp2ThroughNginx_SayTheyAreTheClientLegs_WithBothLegsBytes()
    {
        var scenario = Via("sse_h2_tls_via_nginx", "loadbench", 1, 2) with
        {
            Setup = new SetupResult { Http = "2", Tls = true, Via = "loadbench" },
            // Client leg: 1,000 events, 300 B payload + 40 B framing + 10 B headers + 50 B TLS each; target leg 330 B each.
            Bytes = Wire with { Tls = 50_000, Total = Wire.Total + 50_000, PerEvent = Wire.PerEvent with { Tls = 50, Total = 400 } },
            ServerBytes = ResultFigures.Bytes(300_000, 20_000, 10_000, 1_000),
            Proxy = ProxyCostResult.Create("loadbench", 10, TimeSpan.FromSeconds(1), 1, 1, 1_000, 10) with { UpstreamHttp = "1.1" },
        };
        var plain = Via("sse_plain_via_nginx", "loadbench", 1, 2);

        var sentences = Explain(scenario, plain);

        var legs = Assert.Single(sentences, s => s.StartsWith("In sse_h2_tls_via_nginx, client", StringComparison.Ordinal));
        Assert.Equal("In sse_h2_tls_via_nginx, client ↔ nginx: HTTP/2 over TLS; nginx ↔ target: plain HTTP/1.1: " +
            "400 B per event on the client leg, 50 B of them TLS, against 330 B at the target.", legs);
        // A plain HTTP/1.1 client leg is the target's protocol too: nothing to say.
        Assert.DoesNotContain(sentences, s => s.StartsWith("In sse_plain_via_nginx, client", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_DirectScenarios_SayNothingAboutProxies() =>
        Assert.DoesNotContain(ReportWriter.Explain(SampleResults.Create()), s => s.Contains("nginx", StringComparison.Ordinal) || s.Contains("proxy", StringComparison.Ordinal));
}
