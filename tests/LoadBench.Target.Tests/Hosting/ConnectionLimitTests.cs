using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Hosting;
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

    [Fact]
    public async Task Refusal_IsNotCountedAsTraffic_TheLimitStandsBeforeTheByteCounting()
    {
        await using var target = await RunningTarget.StartAsync("--max-connections", "1");
        using var first = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await first.SendGetAsync(FeedRoutes.Sse + "?after=0");
        await first.ReadHeadAsync();
        var before = target.Stats.Snapshot().Transports;

        using var refused = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await refused.SendGetAsync(FeedRoutes.Info);
        var answer = Encoding.ASCII.GetString(await refused.ReadToEndAsync());

        Assert.StartsWith("HTTP/1.1 503", answer, StringComparison.Ordinal);
        Assert.Equal(1, target.Stats.Snapshot().RejectedConnections);
        // Counted, the 503 would land on 'other' (no request began on that connection).
        Assert.Equal(before, target.Stats.Snapshot().Transports);
    }

    [Fact]
    public void TryEnter_PastMax_IsRefusedWithoutHoldingASlot_AndExitFreesOne()
    {
        var limit = new ConnectionLimit(2);

        Assert.True(limit.TryEnter());
        Assert.True(limit.TryEnter());
        Assert.False(limit.TryEnter());
        Assert.False(limit.TryEnter());
        Assert.Equal(2, limit.Open);

        limit.Exit();
        Assert.Equal(1, limit.Open);
        Assert.True(limit.TryEnter());
        Assert.False(limit.TryEnter());
    }
}
