using System.Diagnostics;
using LoadBench.Contracts;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Running;

/// <summary>A run behind a proxy, engine side: control and stats addresses apart from the feed, server cost summed.</summary>
public sealed class ScaledOutTargetApiTests
{
    [Fact]
    public async Task GetStats_SumsEveryTarget_PerTransport_AndTheirProcesses()
    {
        await using var first = await RunningTarget.StartAsync();
        await using var second = await RunningTarget.StartAsync();
        first.Publish(3);
        second.Publish(5);
        // Different traffic on each, so a sum cannot pass by accident: 2 polls on the first, 1 on the second.
        await first.Http.GetStringAsync("/feed/poll?after=0");
        await first.Http.GetStringAsync("/feed/poll?after=1");
        await second.Http.GetStringAsync("/feed/poll?after=0");

        using var api = new ScaledOutTargetApi(first.BaseAddress, first.BaseAddress, [second.BaseAddress, first.BaseAddress], []);
        var sum = await api.GetStatsAsync(CancellationToken.None);
        var (a, b) = (await first.StatsAsync(), await second.StatsAsync());

        var poll = sum.Transports[TransportIds.Polling];
        Assert.Equal(3, poll.Requests);
        Assert.Equal(3 + 2 + 5, poll.EventsSent);
        Assert.Equal(a.Transports[TransportIds.Polling].PayloadBytes + b.Transports[TransportIds.Polling].PayloadBytes, poll.PayloadBytes);
        Assert.Equal(a.Transports[TransportIds.Polling].BytesWritten + b.Transports[TransportIds.Polling].BytesWritten, poll.BytesWritten);
        // Both are in this test process, so each reports the whole process: the sum is twice one reading.
        Assert.True(sum.Process.WorkingSetBytes > a.Process.WorkingSetBytes, "both targets' memory is summed");
        Assert.Equal(first.BaseAddress, api.BaseUri);
    }

    [Fact]
    public async Task GetStats_AReplicaThatDied_CountsWithItsLastReading_ThePublisherStillFails()
    {
        await using var publisher = await RunningTarget.StartAsync();
        var replica = await RunningTarget.StartAsync();
        replica.Publish(4);
        await replica.Http.GetStringAsync("/feed/poll?after=0");
        using var api = new ScaledOutTargetApi(publisher.BaseAddress, publisher.BaseAddress, [replica.BaseAddress], []);
        var alive = await api.GetStatsAsync(CancellationToken.None);

        // Killed mid-run, as the scale-out benchmark kills one: the run goes on with its last reading.
        await replica.DisposeAsync();
        var dead = await api.GetStatsAsync(CancellationToken.None);

        Assert.Equal(4, alive.Transports[TransportIds.Polling].EventsSent);
        Assert.Equal(4, dead.Transports[TransportIds.Polling].EventsSent);
        Assert.Equal(alive.Transports[TransportIds.Polling].BytesWritten, dead.Transports[TransportIds.Polling].BytesWritten);
        // Nothing is open on a dead process (the publisher served no poll: the polling figures are the replica's alone).
        Assert.Equal(0, dead.Transports[TransportIds.Polling].OpenConnections);

        // A replica never read once has no last reading; the publisher (the control address) has no stand-in at all.
        await publisher.StopAsync();
        await Assert.ThrowsAsync<HttpRequestException>(() => api.GetStatsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetStats_AddsTheCpuAndMemoryOfANamedProcessAndItsChildren()
    {
        await using var target = await RunningTarget.StartAsync();
        // A parent that starts a child, like nginx's master and its workers: the child does a fixed amount of work
        // (CPU spent, whatever the machine's load), says so with a file, and idles; the parent only waits.
        var done = Path.Combine(Path.GetTempPath(), $"loadbench-cost-{Guid.NewGuid():N}");
        using var parent = Process.Start(new ProcessStartInfo("bash", ["-c", $"bash -c 'for i in $(seq 1 300000); do :; done; touch {done}; sleep 60' & sleep 60"]))!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!File.Exists(done) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(File.Exists(done), "the child finished its work");
            var (cpuMs, resident) = ProcessCost.Read(parent.Id);
            // 300,000 loop turns in bash cost well over 100 ms of CPU; the parent itself spent next to none.
            Assert.True(cpuMs >= 100, $"the busy child's CPU is counted under its parent: {cpuMs} ms");
            Assert.True(resident > 0);

            using var api = new ScaledOutTargetApi(target.BaseAddress, target.BaseAddress, [], [parent.Id]);
            var alone = await target.StatsAsync();
            var withProcess = await api.GetStatsAsync(CancellationToken.None);
            Assert.True(withProcess.Process.CpuTimeMs >= alone.Process.CpuTimeMs + 100);
        }
        finally
        {
            parent.Kill(entireProcessTree: true);
            File.Delete(done);
        }
    }

    [Fact]
    public async Task RunAsync_WithAControlUrl_ReportsTheTargetLegBesideTheClientLeg()
    {
        // One target as feed and control: both legs are one, so the targets' count must equal the clients'.
        await using var host = await RunningTarget.StartAsync();
        var plan = ScenarioPlan.FromScenarios("scaled_out_test",
        [
            new Scenario { Name = "sse_3", Transport = TransportIds.Sse, Load = [new KeepConstant(3, TimeSpan.FromSeconds(2))], Feed = new FeedSpec(20, 64) },
        ]);

        var results = await ScenarioRunner.RunAsync(plan,
            new RunOptions { TargetUrl = host.BaseAddress, ControlUrl = host.BaseAddress, TargetWarmUp = TimeSpan.Zero }, null, CancellationToken.None);

        var result = Assert.Single(results.Scenarios);
        Assert.Equal(host.BaseAddress.ToString(), results.Environment.ControlUrl);
        var server = Assert.IsType<LoadBench.Results.BytesResult>(result.ServerBytes);
        Assert.True(result.Bytes.Events > 0);
        Assert.Equal(result.Bytes.Events, server.Events);
        Assert.Equal(result.Bytes.Payload, server.Payload);
    }
}
