using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Engine.Tests.Running;

/// <summary>A feed that publishes nothing, with heartbeats: the real clients against the real target. The
/// heartbeat bytes are framing, counted exactly — checked against the wire format by hand and against the
/// target's own counters.</summary>
public sealed class IdleScenarioTests
{
    private const int Clients = 2;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(2);

    private static ScenarioPlan Plan(string transport, TimeSpan? heartbeat) => ScenarioPlan.FromScenarios("idle_test",
    [
        new Scenario
        {
            Name = $"{transport}_idle",
            Transport = transport,
            Load = [new KeepConstant(Clients, Phase)],
            Feed = new FeedSpec(0, 64),
            // Connected before the window, so the idle figures hold only what idle connections send.
            WarmUp = TimeSpan.FromSeconds(1),
            Setup = new ConnectionSetup { Heartbeat = heartbeat },
        },
    ]);

    private static async Task<(ScenarioResult Result, TransportStats Target)> RunAsync(string transport, TimeSpan? heartbeat)
    {
        await using var host = await RunningTarget.StartAsync();
        var results = await ScenarioRunner.RunAsync(Plan(transport, heartbeat),
            new RunOptions { TargetUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None);
        var stats = (await host.Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot))!;
        return (Assert.Single(results.Scenarios), stats.Transports[transport]);
    }

    // How many heartbeats each client must at least have had: the phase over the interval, less a few for the
    // shared ticker's phase and the connect, far below the 20 a quiet machine gives.
    private const long AtLeastPerClient = 5;

    private const int SseHeartbeatBytes = 3 + 3 + 2;

    [Fact]
    public async Task Sse_IdleWithHeartbeat_FramingIsEightBytesPerHeartbeat_AsTheTargetCounted_AndTheIdleCostIsReported()
    {
        var (result, target) = await RunAsync(TransportIds.Sse, Heartbeat);

        Assert.Equal(0, result.Throughput.EventsDelivered);
        Assert.Equal(0, result.Bytes.Payload);
        // Each heartbeat is the chunk "3\r\n" + ":\n\n" + "\r\n": 3 + 3 + 2 = 8 bytes, nothing else crossed after the heads.
        Assert.Equal(0, result.Bytes.Framing % SseHeartbeatBytes);
        Assert.True(result.Bytes.Framing / SseHeartbeatBytes >= Clients * AtLeastPerClient, $"framing {result.Bytes.Framing}");
        // The target counted the same connections' heads and heartbeats (a heartbeat written as the clients left
        // may not have been read: at most one per client).
        Assert.Equal(target.HeaderBytes, result.Bytes.Headers);
        Assert.InRange(target.FramingBytes - result.Bytes.Framing, 0, Clients * SseHeartbeatBytes);
        Assert.Equal(new SetupResult { HeartbeatMs = 100 }, result.Setup);
        var idle = Assert.IsType<IdleCostResult>(result.Idle);
        Assert.True(idle.BytesPerConnectionPerHour > 0);
        Assert.True(idle.CpuMsPerConnectionPerHour > 0);
    }

    [Fact]
    public async Task WebSocket_IdleWithHeartbeat_FramingIsPingsOfTenAndPongsOfFourteenBytes()
    {
        var (result, target) = await RunAsync(TransportIds.WebSocket, Heartbeat);

        Assert.Equal(0, result.Throughput.EventsDelivered);
        // A ping is 2 header bytes + an 8-byte ping id from the target; the client's pong echoes it, masked:
        // 2 + 4 + 8 = 14. Every ping got its pong, except perhaps the last one as the phase ended.
        var pairs = result.Bytes.Framing / 24;
        Assert.Contains(result.Bytes.Framing % 24, new long[] { 0, 10 });
        Assert.True(pairs >= Clients * AtLeastPerClient, $"framing {result.Bytes.Framing}");
        Assert.Equal(target.HeaderBytes, result.Bytes.Headers);
        Assert.InRange(target.FramingBytes - result.Bytes.Framing, 0, Clients * 24);
    }

    [Fact]
    public async Task Sse_IdleWithoutHeartbeat_NothingButTheHeads()
    {
        var (result, _) = await RunAsync(TransportIds.Sse, heartbeat: null);

        Assert.Equal(0, result.Bytes.Framing);
        Assert.Equal(0, result.Idle!.BytesPerConnectionPerHour);
        Assert.Null(result.Setup);
    }
}
