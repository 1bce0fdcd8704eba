using System.Net.Sockets;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Engine.Proxy;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;
using LoadBench.Tests.Support;

namespace LoadBench.Engine.Tests.Proxy;

/// <summary>
/// Scenarios run via a real nginx (Debian's, started by the engine or by the test): every event arrives once, the
/// client leg's bytes are what nginx itself counted, nginx's cost is measured, and the two pitfalls show — buffering
/// as bursts, a short idle timeout as reconnects without loss. A missing nginx fails (tests/run.sh installs it).
/// </summary>
public sealed class ViaNginxTests
{
    private static Scenario Scenario(string name, string transport, int clients, double rate, TimeSpan during, string via) => new()
    {
        Name = name,
        Transport = transport,
        Load = [new KeepConstant(clients, during)],
        Feed = new FeedSpec(rate, 64),
        Setup = ConnectionSetup.Default with { Via = via },
    };

    private static Task<ResultsDocument> RunAsync(RunningTarget host, params Scenario[] scenarios) =>
        ScenarioRunner.RunAsync(ScenarioPlan.FromScenarios("via_test", scenarios),
            new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None);

    [Fact]
    public async Task Run_ViaThePushReadyNginx_EveryEventOnce_BothLegs_AndNginxCostInTheServerCost()
    {
        await using var host = await RunningTarget.StartAsync();
        var results = await RunAsync(host,
            Scenario("sse_via_nginx", TransportIds.Sse, 30, 20, TimeSpan.FromSeconds(2), NginxConfigurations.PushReady),
            Scenario("ws_via_nginx", TransportIds.WebSocket, 30, 20, TimeSpan.FromSeconds(2), NginxConfigurations.PushReady));

        Assert.Equal(2, results.Scenarios.Count);
        foreach (var result in results.Scenarios)
        {
            Assert.Equal((0L, 0L, 0L), (result.Integrity.Lost, result.Integrity.Duplicates, result.Integrity.Reorders));
            Assert.Equal(0, result.Errors.Count);
            // The target's own count of what it sent (the nginx ↔ target leg) against the clients' (client ↔ nginx):
            // every event the target sent through nginx arrived once, with the same payload bytes.
            var serverLeg = Assert.IsType<BytesResult>(result.ServerBytes);
            Assert.True(result.Bytes.Events >= 30 * 20, $"{result.Name}: {result.Bytes.Events} events");
            Assert.Equal(serverLeg.Events, result.Bytes.Events);
            Assert.Equal(serverLeg.Payload, result.Bytes.Payload);
            Assert.Equal(NginxConfigurations.PushReady, result.Setup?.Via);

            var proxy = Assert.IsType<ProxyCostResult>(result.Proxy);
            Assert.Equal(NginxConfigurations.PushReady, proxy.Configuration);
            Assert.True(proxy.CpuMs > 0, $"{result.Name}: nginx relayed {result.Bytes.Total} bytes with {proxy.CpuMs} ms of CPU");
            Assert.True(proxy.ResidentBytesPeak > 0 && proxy.ResidentBytesBefore > 0);
            // The server cost includes nginx's: the target's CPU is on top of it.
            Assert.True(result.Server.CpuMs > proxy.CpuMs, $"{result.Name}: server {result.Server.CpuMs} ms, nginx {proxy.CpuMs} ms");
            Assert.True(result.Server.WorkingSetBytesPeak > proxy.ResidentBytesPeak);
        }
    }

    [Theory]
    [InlineData(TransportIds.Sse)]
    [InlineData(TransportIds.WebSocket)]
    public async Task Run_ViaAProxyUrl_ClientLegBytes_EqualWhatNginxCountedOnItsSockets(string transport)
    {
        await using var host = await RunningTarget.StartAsync();
        // nginx as someone else runs it (the test starts it), with an access log of exactly the bytes it read from
        // and wrote to each client: the independent count of the client ↔ nginx leg. $request_length is the request
        // (the WebSocket handshake too), $bytes_sent all nginx wrote (upgrade response and frames); the clients write
        // nothing after their request here (a WebSocket client sends a close frame only to answer the target's, and
        // this run ends by cancelling them), so the two cover both directions.
        // nginx is the test's (ExternalTool): a missing one fails here with the command that installs it, never skips.
        var folder = Directory.CreateTempSubdirectory("loadbench-via-url-").FullName;
        try
        {
            var port = ExternalTool.FreePort();
            var conf = NginxConfigurations.Render(NginxConfigurations.PushReady, $"127.0.0.1:{port}", folder, [host.BaseAddress.Authority], 1)
                .Replace("access_log off;", $"log_format legbytes '$request_length $bytes_sent'; access_log {folder}/access.log legbytes;", StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(folder, "nginx.conf"), conf);
            long sum = 0;
            ResultsDocument results;
            await using (var nginx = ExternalTool.Start("nginx", "-p", folder + "/", "-c", Path.Combine(folder, "nginx.conf"), "-e", Path.Combine(folder, "error.log")))
            {
                await nginx.WaitForPortAsync(port);
                results = await RunAsync(host, Scenario($"{transport}_via_url", transport, 5, 20, TimeSpan.FromSeconds(2), $"http://127.0.0.1:{port}/"));
                var result = Assert.Single(results.Scenarios);
                // nginx logs a request when it ends (the clients closed theirs at the scenario's end): wait for all 5.
                var deadline = DateTime.UtcNow.AddSeconds(20);
                string[] lines = [];
                while (DateTime.UtcNow < deadline && (lines = ReadLog(folder)).Length < 5)
                {
                    await Task.Delay(50);
                }

                Assert.Equal(5, lines.Length);
                sum = lines.Sum(l => l.Split(' ').Sum(long.Parse));
                Assert.Null(result.Proxy); // not the engine's nginx: its processes are not read
                Assert.Equal(0, result.Integrity.Lost);
                Assert.Equal(result.ServerBytes?.Events, result.Bytes.Events);
                Assert.Equal(sum, result.Bytes.Total);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        static string[] ReadLog(string folder) => File.Exists(Path.Combine(folder, "access.log"))
            ? File.ReadAllLines(Path.Combine(folder, "access.log")).Where(l => l.Length > 0).ToArray()
            : [];
    }

    [Fact]
    public async Task SseBufferingOn_DeliversEventsInBursts_BufferingOff_OneByOne()
    {
        await using var host = await RunningTarget.StartAsync("--rate", "50", "--payload-bytes", "64");
        var on = await EventsPerReadAsync(host, "sse-buffering-on");
        var off = await EventsPerReadAsync(host, NginxConfigurations.PushReady);
        // Structural, not timed: with buffering on a read returns a buffer's worth of events at once (a 4 KiB buffer
        // holds about 25 of these); with it off each event is its own write, so reads carry one, or a few when the
        // reader fell behind on a busy machine.
        Assert.True(on >= 8, $"buffering on: {on:0.0} events per read");
        Assert.True(off <= 3, $"buffering off: {off:0.0} events per read");
    }

    /// <summary>Reads 150 events of one SSE stream through nginx with <paramref name="configuration"/>, and returns
    /// the average number of events per socket read that carried any.</summary>
    private static async Task<double> EventsPerReadAsync(RunningTarget host, string configuration)
    {
        await using var nginx = await NginxProxy.StartAsync(configuration, host.BaseAddress, TimeProvider.System, CancellationToken.None);
        using var client = new TcpClient();
        await client.ConnectAsync(nginx.BaseUri.Host, nginx.BaseUri.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {FeedRoutes.Sse} HTTP/1.1\r\nHost: {nginx.BaseUri.Authority}\r\n\r\n"));
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new byte[256 * 1024];
        int events = 0, reads = 0;
        while (events < 150)
        {
            var n = await stream.ReadAsync(buffer, limit.Token);
            Assert.True(n > 0, "nginx ended the stream");
            var found = CountOf(Encoding.ASCII.GetString(buffer, 0, n), "data:");
            if (found > 0)
            {
                events += found;
                reads++;
            }
        }

        return (double)events / reads;
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [Fact]
    public async Task IdleTimeoutShorterThanTheQuiet_CutsEveryStream_ClientsReconnectWithoutLoss_LongerDoesNot()
    {
        await using var host = await RunningTarget.StartAsync();
        // One event every 5 s: nginx's 3 s idle timeout (idle-timeout-short) cuts each quiet stream before the next
        // event; the 30 s one (idle-timeout-long) never does. No heartbeat: nothing else keeps the streams busy.
        var results = await RunAsync(host,
            Scenario("sse_short_idle", TransportIds.Sse, 10, 0.2, TimeSpan.FromSeconds(7), "idle-timeout-short"),
            Scenario("ws_short_idle", TransportIds.WebSocket, 10, 0.2, TimeSpan.FromSeconds(7), "idle-timeout-short"),
            Scenario("sse_long_idle", TransportIds.Sse, 10, 0.2, TimeSpan.FromSeconds(4), "idle-timeout-long"));

        foreach (var cut in results.Scenarios.Take(2))
        {
            Assert.True(cut.Integrity.Reconnects >= 10, $"{cut.Name}: {cut.Integrity.Reconnects} reconnects (each of 10 streams cut at least once)");
            Assert.Equal((0L, 0L), (cut.Integrity.Lost, cut.Integrity.Duplicates));
            Assert.Equal(cut.ServerBytes?.Events, cut.Bytes.Events);
        }

        var kept = results.Scenarios[2];
        Assert.Equal((0L, 0L), (kept.Integrity.Reconnects, kept.Integrity.Lost));
    }

    [Theory]
    [InlineData(TransportIds.WebSocket, "2", false, "loadbench", "RFC 8441")]
    [InlineData(TransportIds.WebSocket, "2", true, "idle-timeout-long", "RFC 8441")]
    [InlineData(TransportIds.Sse, "2", false, "http://127.0.0.1:8080/", "reached over plain HTTP/1.1 only")]
    [InlineData(TransportIds.Sse, "1.1", true, "http://127.0.0.1:8080/", "reached over plain HTTP/1.1 only")]
    [InlineData(TransportIds.WebSocket, "1.1", false, "sse-buffering-on", "HTTP/1.0")]
    [InlineData(TransportIds.Sse, "1.1", false, "nginx-please", "must be \"direct\"")]
    public void Validate_RejectsWhatAProxyCannotCarry(string transport, string http, bool tls, string via, string reason)
    {
        var issues = ViaRules.Validate(ConnectionSetup.Default with { Http = http, Tls = tls, Via = via }, transport);
        var issue = Assert.Single(issues);
        Assert.Equal("via", issue.Field);
        Assert.Contains(reason, issue.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ScenarioValidator.EnsureValid(Scenario("x", transport, 1, 1, TimeSpan.FromSeconds(1), via) with
        {
            Setup = ConnectionSetup.Default with { Http = http, Tls = tls, Via = via },
        }));
    }

    [Theory]
    [InlineData("direct")]
    [InlineData("loadbench")]
    [InlineData("idle-timeout-short")]
    [InlineData("http://127.0.0.1:8080/")]
    public void Validate_AcceptsDirectANamedConfigurationOrAUrl(string via) =>
        Assert.Empty(ViaRules.Validate(ConnectionSetup.Default with { Via = via }, TransportIds.Sse));

    [Theory]
    [InlineData(TransportIds.Sse, "2", true, "sse-buffering-on")]
    [InlineData(TransportIds.Sse, "2", false, "loadbench")]
    [InlineData(TransportIds.LongPolling, "1.1", true, "idle-timeout-short")]
    [InlineData(TransportIds.WebSocket, "1.1", true, "loadbench")]
    public void Validate_AcceptsTlsAndHttp2OnTheEngineNginxClientLeg(string transport, string http, bool tls, string via) =>
        Assert.Empty(ViaRules.Validate(ConnectionSetup.Default with { Http = http, Tls = tls, Via = via }, transport));
}
