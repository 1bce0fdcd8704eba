using LoadBench.Contracts;
using LoadBench.Target.Hosting;
using LoadBench.Target.Tests.TestSupport;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LoadBench.Target.Tests.Hosting;

/// <summary>The settings the target's memory per subscriber rests on (README "Tuning"; the figures themselves come
/// from scenarios/bench/memory-per-connection.sh, never from a test).</summary>
public sealed class MemoryTuningTests
{
    [Fact]
    public async Task Target_SendsInline_AndGivesRequestsNoHostingActivity_WhileStillServingAStream()
    {
        await using var target = await RunningTarget.StartAsync();

        Assert.True(target.Service<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        // Hosting starts a per-request Activity and log scope whenever this category logs at any level.
        var hosting = target.Service<ILoggerFactory>().CreateLogger(MemoryTuning.HostingDiagnostics);
        Assert.False(hosting.IsEnabled(LogLevel.Critical));
        // The other ASP.NET Core categories still log their warnings.
        Assert.True(target.Service<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));

        using var stream = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await stream.SendGetAsync(FeedRoutes.Sse + "?after=0");
        await stream.ReadHeadAsync();
        target.Publish(2);
        var events = System.Text.Encoding.ASCII.GetString(await stream.ReadUntilAsync("\n\n", 2));
        Assert.Contains("\"seq\":2", events, StringComparison.Ordinal);
    }
}
