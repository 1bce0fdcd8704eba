using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>Request latency is timed on the client's clock from the intended start, whatever real time the
/// exchange took: on a fake clock that stands still during the exchange, it is exactly how late the request left.</summary>
public sealed class PollExchangeTests
{
    [Theory]
    [InlineData(TransportIds.Polling)]
    [InlineData(TransportIds.LongPolling)]
    public async Task SendOneAsync_TimesTheRequestFromItsIntendedStartOnTheClientsClock(string transport)
    {
        await using var stub = StubFeed.Serve(transport, [(1, StubFeed.Event(1, StubFeed.NowMicros - 1000, "x"))]);
        var time = new FakeTimeProvider(StubFeed.Now);
        var recorders = new LatencyRecorders();
        await using var client = (IRequestDrivenClient)FeedClientFactory.Create(
            new FeedClientOptions(stub.BaseUri, transport, recorders) { TimeProvider = time });

        var intended = time.GetTimestamp();
        time.Advance(TimeSpan.FromMilliseconds(300)); // the request leaves 300 ms after it was due
        await client.SendOneAsync(intended, CancellationToken.None);

        var requests = recorders.Request.GetIntervalHistogram();
        Assert.Equal(1, requests.TotalCount);
        // 300,000 µs within the histogram's 3 significant digits.
        Assert.InRange(requests.GetValueAtPercentile(100), 300_000, 300_300);
        Assert.Equal(1, client.Cursor);
    }
}
