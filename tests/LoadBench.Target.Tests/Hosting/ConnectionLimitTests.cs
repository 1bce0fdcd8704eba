using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Hosting;

public sealed class ConnectionLimitTests
{
    [Fact]
    public async Task PastTheLimit_NewConnectionGets503_OpenOnesKeepBeingServed()
    {
        await using var target = await RunningTarget.StartAsync("--max-connections", "2");
        using var first = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await first.SendGetAsync(FeedRoutes.Sse + "?after=0");
        await first.ReadHeadAsync();
        using var second = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await second.SendGetAsync(FeedRoutes.Sse + "?after=0");
        await second.ReadHeadAsync();

        using var third = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await third.SendGetAsync(FeedRoutes.Info);
        var refused = Encoding.ASCII.GetString(await third.ReadToEndAsync());

        Assert.StartsWith("HTTP/1.1 503", refused, StringComparison.Ordinal);
        Assert.Contains("connection limit reached", refused, StringComparison.Ordinal);
        Assert.Equal(1, target.Stats.Snapshot().RejectedConnections);
        target.Publish(1);
        var stillServed = Encoding.ASCII.GetString(await first.ReadUntilAsync("\n\n", 1));
        Assert.Contains("\"seq\":1", stillServed, StringComparison.Ordinal);
    }
}
