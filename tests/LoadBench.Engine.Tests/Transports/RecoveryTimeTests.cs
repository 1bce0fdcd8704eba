using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>
/// Time to recover against an independent truth: a stub cuts the connection after one event, the fake clock is
/// moved by a known amount (at least 3 s) while the client reconnects, and the stub sends the next event only then.
/// Nothing else moves the fake clock, so the one recovery sample is exactly how far it moved, whatever the back-off.
/// </summary>
public sealed class RecoveryTimeTests
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    public static TheoryData<string> Transports => [.. TransportIds.All];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RunAsync_ConnectionCutForAKnownTime_RecordsExactlyThatTimeToRecover(string transport)
    {
        using var release = new SemaphoreSlim(0);
        var e1 = StubFeed.Event(1, StubFeed.NowMicros, "a");
        var e2 = StubFeed.Event(2, StubFeed.NowMicros, "b");
        var polling = transport is TransportIds.Polling or TransportIds.LongPolling;
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            if (connection.Index == 0)
            {
                // One event, then the cut: a poller's next request is read and left unanswered as the socket
                // closes; a stream simply breaks off.
                await SendAsync(connection, transport, head, e1, 1, cancellationToken);
                if (polling)
                {
                    await connection.ReadHeadAsync(cancellationToken);
                }

                return;
            }

            await release.WaitAsync(cancellationToken);
            await SendAsync(connection, transport, head, e2, 2, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        var time = new FakeTimeProvider(StubFeed.Now);
        var recorders = new LatencyRecorders();
        await using var client = FeedClientFactory.Create(new FeedClientOptions(stub.BaseUri, transport, recorders)
        {
            TimeProvider = time,
            PollInterval = TimeSpan.Zero,
            Randomizer = () => 0.5,
        });
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        await Wait.UntilAsync(() => client.Cursor == 1, "the first event");
        if (polling)
        {
            // The poller finds the closed connection as its next poll goes out and sends it again on a new one at once.
            await Wait.UntilAsync(() => stub.Heads().Length == 3, "the poll on the new connection");
            time.Advance(Outage);
        }
        else
        {
            // A stream sees the cut, counts it and backs off on the fake clock: the advance lets it reconnect. Its
            // back-off timer may be set only after the advance (the count comes first), so the clock goes on in
            // small steps until it has reconnected; the outage is then however far the clock went.
            await Wait.UntilAsync(() => client.Counters.Snapshot().ErrorCount == 1, "the cut to be counted");
            time.Advance(Outage);
            for (var step = 0; step < 500 && stub.Heads().Length < 2; step++)
            {
                await Task.Delay(20);
                time.Advance(TimeSpan.FromMilliseconds(100));
            }

            await Wait.UntilAsync(() => stub.Heads().Length == 2, "the reconnect");
        }

        // The fake clock moved only here: from the cut (at its start) to the event sent now.
        var outage = time.GetUtcNow() - StubFeed.Now;
        release.Release();
        await Wait.UntilAsync(() => client.Cursor == 2, "the first event after reconnecting");
        await stop.CancelAsync();
        await run;

        var recovery = recorders.Recovery.GetIntervalHistogram();
        Assert.Equal(1, recovery.TotalCount);
        var micros = (long)outage.TotalMicroseconds;
        Assert.True(outage >= Outage, $"outage {outage}");
        // 3 significant digits: the one sample must sit in the bucket of the exact value.
        Assert.Equal(1, recovery.GetCountAtValue(micros));
        var counters = client.Counters.Snapshot();
        Assert.Equal(1, counters.Reconnects);
        Assert.Equal(0, counters.Lost + counters.Duplicates);
    }

    private static async Task SendAsync(StubConnection connection, string transport, string head, string json, long seq, CancellationToken cancellationToken)
    {
        switch (transport)
        {
            case TransportIds.Polling or TransportIds.LongPolling:
                await connection.SendAsync(StubFeed.PollResponse([json]), false, cancellationToken);
                break;
            case TransportIds.Sse:
                await connection.SendAsync(StubFeed.SseResponseHead + StubFeed.SseChunk(seq, json), false, cancellationToken);
                break;
            default:
                await connection.SendAsync(StubFeed.WebSocketResponseHead(head), false, cancellationToken);
                await connection.SendAsync(StubFeed.TextFrame(json), false, cancellationToken);
                break;
        }
    }
}
