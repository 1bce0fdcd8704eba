using LoadBench.Contracts;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests;

/// <summary>A via-nginx scenario's table: which proxy, both byte legs, and nginx's cost beside the server's.</summary>
public sealed class ProxyTableTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "loadbench-report-proxy-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void WriteAll_ViaNginx_ShowsTheProxy_BothLegs_AndNginxCost()
    {
        var direct = SampleResults.Scenario(TransportIds.Sse, 10);
        var viaNginx = direct with
        {
            Name = "sse_via_loadbench",
            Setup = new SetupResult { Via = "loadbench" },
            // nginx ↔ target: 2,000 events of 300 B payload, 100 B framing, 1,000 B headers in all.
            ServerBytes = ResultFigures.Bytes(600_000, 200_000, 1_000, 2_000),
            Proxy = ProxyCostResult.Create("loadbench", cpuMs: 50, TimeSpan.FromSeconds(10), 8L << 20, (8L << 20) + 10 * 4096, events: 2_000, clients: 10),
        };
        var results = new ResultsDocument { Environment = SampleResults.Environment("proxy"), Scenarios = [direct, viaNginx] };

        var markdown = File.ReadAllText(ReportWriter.WriteAll(results, _directory, new ReportOptions { IncludeCharts = false }).MarkdownReport);

        Assert.Contains("| Via | direct | loadbench |", markdown, StringComparison.Ordinal);
        // 1,000 header bytes over 2,000 events, 801,000 bytes in all over 2,000 events.
        Assert.Contains("| Bytes/event at the targets: headers | — | 0.5 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| Bytes/event at the targets: total | — | 400.5 |", markdown, StringComparison.Ordinal);
        // 50 ms over 2,000 events: 25 ms per 1,000; 4 KiB for each of 10 connections; 8 MiB + 40 KiB peak.
        Assert.Contains("| nginx CPU per 1,000 events (ms, part of the server's) | — | 25 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| nginx memory per connection (KiB) | — | 4 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| nginx memory peak (MiB) | — | 8.04 |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteAll_TlsAndHttp2ViaNginx_TheViaRowSaysWhichLegSpeaksWhat()
    {
        var plain = SampleResults.Scenario(TransportIds.Sse, 10) with { Setup = new SetupResult { Via = "loadbench" } };
        var h2c = plain with
        {
            Name = "sse_h2c_via_loadbench",
            Setup = new SetupResult { Http = "2", Via = "sse-buffering-on" },
            Proxy = ProxyCostResult.Create("sse-buffering-on", 1, TimeSpan.FromSeconds(1), 1, 1, 1, 1) with { UpstreamHttp = "1.0" },
        };
        var tls = plain with { Name = "sse_tls_via_loadbench", Setup = new SetupResult { Tls = true, Via = "loadbench" } };
        var results = new ResultsDocument { Environment = SampleResults.Environment("proxy"), Scenarios = [plain, h2c, tls] };

        var markdown = File.ReadAllText(ReportWriter.WriteAll(results, _directory, new ReportOptions { IncludeCharts = false }).MarkdownReport);

        // Whatever the columns' order: each cell names its legs, a plain HTTP/1.1 one only its proxy.
        var via = Assert.Single(markdown.Split('\n'), l => l.StartsWith("| Via |", StringComparison.Ordinal));
        string[] expected = ["loadbench", "loadbench (client ↔ proxy: HTTP/1.1 over TLS; proxy ↔ target: plain HTTP/1.x)",
            "sse-buffering-on (client ↔ nginx: HTTP/2 cleartext; nginx ↔ target: plain HTTP/1.0)"];
        Assert.Equal(expected.Order(StringComparer.Ordinal),
            via.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)[1..].Order(StringComparer.Ordinal));
    }
}
