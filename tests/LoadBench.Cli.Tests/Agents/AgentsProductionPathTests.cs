using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Contracts;
using LoadBench.Results;

namespace LoadBench.Cli.Tests.Agents;

/// <summary>
/// Load agents run the production path's setups as a single process does: SSE over HTTP/2 and TLS with two streams per
/// connection, and WebSocket with permessage-deflate, over two `loadbench agent` processes. The merged byte parts are
/// sums of the agents' (the TLS part and the uncompressed split survive the wire and the merge), checked against the
/// target's own socket and payload counters — an independent count, not the merge code checking itself.
/// </summary>
public sealed class AgentsProductionPathTests : IAsyncLifetime
{
    /// <summary>Kestrel's GOAWAY in one TLS 1.3 record (17 + 22 bytes): written by the target as a client closes an
    /// HTTP/2 connection first, counted by the target and possibly never read by the client — per connection, at most once.</summary>
    private const int GoAwayOverTls = 17 + 22;

    private AgentRig? _rig;

    private AgentRig Rig => _rig!;

    public async Task InitializeAsync() =>
        _rig = await AgentRig.StartAsync("loadbench-agents-setup-", [.. RunningTarget.ProtocolArgs, "--compression", "on"]);

    public async Task DisposeAsync()
    {
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoAgents_H2TlsSharedSse_AndDeflateWs_MergedBytePartsEqualTheTargetsOwnCounts()
    {
        for (var i = 1; i <= 2; i++)
        {
            Rig.Agents.Add(BackgroundLoadBench.Start("agent", "--nats", Rig.Nats.Url, "--name", $"agent-{i}"));
        }

        foreach (var agent in Rig.Agents)
        {
            await agent.WaitForOutputAsync("waiting for a coordinator", TimeSpan.FromSeconds(60));
        }

        var plan = Path.Combine(Rig.Output, "plan.json");
        await File.WriteAllTextAsync(plan, """
            { "name": "agents_setup", "defaults": { "feed": { "ratePerSecond": 20, "payloadBytes": 256 } },
              "scenarios": [
                { "name": "sse_h2_tls", "transport": "sse", "http": "2", "tls": true, "streamsPerConnection": 2,
                  "load": [ { "model": "KeepConstant", "copies": 8, "during": "2s" } ] },
                { "name": "ws_deflate", "transport": "ws", "compression": "permessage-deflate",
                  "load": [ { "model": "KeepConstant", "copies": 4, "during": "2s" } ] } ] }
            """);
        var endpoints = await Rig.Target.EndpointsAsync();
        var before = await Rig.Target.StatsAsync();

        var run = await LoadBenchProcess.RunAsync(TimeSpan.FromMinutes(2),
            "run", plan, "--nats", Rig.Nats.Url, "--agents", "2", "--target", Rig.Target.BaseAddress.ToString(),
            "--tls-fingerprint", endpoints.CertificateSha256!, "--quiet", "--output", Rig.Output);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.StandardOutput}\n{run.StandardError}\n{string.Join("\n", Rig.Agents.Select(a => a.Output))}");
        var results = await ResultsFile.ReadAsync(Path.Combine(Rig.Output, "results.json"), CancellationToken.None);
        Assert.Null(results.Incomplete);
        foreach (var scenario in results.Scenarios)
        {
            Assert.Equal(0, scenario.Integrity.Lost + scenario.Integrity.Duplicates + scenario.Integrity.Reorders);
            Assert.True(scenario.Errors.Count == 0, $"{scenario.Name}: {string.Join(", ", scenario.Errors.ByKind)}");
            Assert.Equal(2, scenario.Agents!.Count);
            Assert.All(scenario.Agents!, a => Assert.True(a.EventsDelivered > 0, a.Name));
        }

        var sse = results.Scenarios.Single(s => s.Name == "sse_h2_tls");
        Assert.Equal(new SetupResult { Http = HttpVersions.Http2, Tls = true, StreamsPerConnection = 2 }, sse.Setup);
        Assert.Equal(8, sse.Clients);
        var tls = sse.Bytes;
        Assert.NotNull(tls.Tls);
        Assert.True(tls.Tls > 4 * 500, $"four TLS connections, each a handshake of some hundred bytes: tls {tls.Tls}");
        Assert.Equal(tls.Payload + tls.Framing + tls.Headers + tls.Tls!.Value, tls.Total);
        Assert.Equal(tls.Tls.Value / (double)tls.Events!.Value, tls.PerEvent.Tls!.Value, 9);

        var ws = results.Scenarios.Single(s => s.Name == "ws_deflate");
        Assert.NotNull(ws.Bytes.Uncompressed);
        Assert.Null(ws.Bytes.Tls);

        // The target counted every socket byte of both scenarios' connections (TLS records included) and the event
        // bytes it wrote: the merged sums must be those, once every agent's connections have closed.
        TransportStats? sseSide = null, wsSide = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var after = await Rig.Target.StatsAsync();
            sseSide = Delta(after, before, TransportIds.Sse);
            wsSide = Delta(after, before, TransportIds.WebSocket);
            var sseUnread = sseSide.BytesRead + sseSide.BytesWritten - tls.Total;
            if ((sseUnread >= 0 && sseUnread % GoAwayOverTls == 0 && sseUnread / GoAwayOverTls <= 4
                    && wsSide.BytesRead + wsSide.BytesWritten == ws.Bytes.Total)
                || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        var unread = sseSide.BytesRead + sseSide.BytesWritten - tls.Total;
        Assert.True(unread >= 0 && unread % GoAwayOverTls == 0 && unread / GoAwayOverTls <= 4,
            $"target SSE socket bytes {sseSide.BytesRead + sseSide.BytesWritten}, merged total {tls.Total}: the difference is not a GOAWAY per connection at most");
        Assert.Equal(sseSide.EventsSent, tls.Events);
        Assert.Equal(sseSide.PayloadBytes, tls.Payload);
        Assert.Equal(wsSide.BytesRead + wsSide.BytesWritten, ws.Bytes.Total);
        Assert.Equal(wsSide.EventsSent, ws.Bytes.Events);
        // On a compressed connection the target's payload is what its compressor wrote (the data frames' payloads),
        // and the event JSON it compressed is its event bytes: the wire's payload and the uncompressed split's.
        Assert.Equal(wsSide.PayloadBytes, ws.Bytes.Payload);
        Assert.Equal(wsSide.EventBytes, ws.Bytes.Uncompressed!.Payload);
        Assert.True(ws.Bytes.Payload < ws.Bytes.Uncompressed.Payload, $"compressed {ws.Bytes.Payload}, uncompressed {ws.Bytes.Uncompressed.Payload}");
    }

    private static TransportStats Delta(StatsSnapshot after, StatsSnapshot before, string transport)
    {
        var (a, b) = (after.Transports[transport], before.Transports[transport]);
        return new TransportStats(a.OpenConnections, a.Requests - b.Requests, a.EventsSent - b.EventsSent, a.PayloadBytes - b.PayloadBytes,
            a.HeaderBytes - b.HeaderBytes, a.BytesRead - b.BytesRead, a.BytesWritten - b.BytesWritten)
        {
            EventBytes = a.EventBytes - b.EventBytes,
            DecodedBodyBytes = a.DecodedBodyBytes - b.DecodedBodyBytes,
        };
    }
}
