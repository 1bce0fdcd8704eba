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
    [Fact]
    public async Task SendOneAsync_EmptyArraysWithAndWithoutSpace_CountAsEmptyAndTheEventBetweenIsDelivered()
    {
        // "[]" is recognised by its bytes (no JSON reader, no clock read); "[ ]" goes through the reader. Both are
        // empty; the event between them is delivered with its exact bytes and its latency on the client's clock.
        var json = StubFeed.Event(1, StubFeed.NowMicros - 1000, "x");
        string[] bodies = ["[]", "[ ]", "[" + json + "]", "[]"];
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            foreach (var body in bodies)
            {
                await connection.ReadHeadAsync(cancellationToken);
                await connection.SendAsync($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}", trickle: false, cancellationToken);
            }

            await connection.DrainAsync(cancellationToken);
        });
        var time = new FakeTimeProvider(StubFeed.Now);
        var recorders = new LatencyRecorders();
        await using var client = (IRequestDrivenClient)FeedClientFactory.Create(
            new FeedClientOptions(stub.BaseUri, TransportIds.Polling, recorders) { TimeProvider = time });

        foreach (var _ in bodies)
        {
            await client.SendOneAsync(time.GetTimestamp(), CancellationToken.None);
        }

        var counters = client.Counters.Snapshot();
        Assert.Equal((4L, 3L, 1L, 0L), (counters.Requests, counters.EmptyResponses, counters.EventsDelivered, counters.ErrorCount));
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(json), counters.PayloadBytes);
        var events = recorders.Event.GetIntervalHistogram();
        Assert.Equal(1, events.TotalCount);
        Assert.InRange(events.GetValueAtPercentile(100), 1000, 1001);
        Assert.Equal(1, client.Cursor);
    }
}
