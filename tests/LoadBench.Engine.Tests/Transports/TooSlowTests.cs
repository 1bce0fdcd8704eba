using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>The slow-consumer disconnect (<see cref="FeedTooSlow"/>): counted, and the next connection resumes from the cursor.</summary>
public sealed class TooSlowTests
{
    public static TheoryData<string> Streaming => [TransportIds.Sse, TransportIds.WebSocket];

    [Theory]
    [MemberData(nameof(Streaming))]
    public async Task RunAsync_TargetSaysTooSlow_CountsItAndResumesFromTheCursor(string transport)
    {
        var e1 = StubFeed.Event(1, StubFeed.NowMicros, "a");
        var e2 = StubFeed.Event(2, StubFeed.NowMicros, "b");
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            var head = await connection.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return;
            }

            var (json, seq) = connection.Index == 0 ? (e1, 1L) : (e2, 2L);
            if (transport == TransportIds.Sse)
            {
                await connection.SendAsync(StubFeed.SseResponseHead + StubFeed.SseChunk(seq, json), false, cancellationToken);
                if (connection.Index == 0)
                {
                    // The signal, then the connection ends (so the client's next request cannot reuse it).
                    await connection.SendAsync(StubFeed.Chunk($"event: {FeedTooSlow.SseEventType}\ndata: {{\"after\":1,\"latestSeq\":9}}\n\n"), false, cancellationToken);
                    return;
                }
            }
            else
            {
                await connection.SendAsync(StubFeed.WebSocketResponseHead(head), false, cancellationToken);
                await connection.SendAsync(StubFeed.TextFrame(json), false, cancellationToken);
                if (connection.Index == 0)
                {
                    await connection.SendAsync(StubFeed.CloseFrame(FeedTooSlow.WebSocketCloseStatus, FeedTooSlow.WebSocketDescriptionPrefix + "1"), false, cancellationToken);
                }
            }

            await connection.DrainAsync(cancellationToken);
        });
        await using var client = FeedClientFactory.Create(ByteSplitTests.Options(stub, transport, new LatencyRecorders()));
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);

        await Wait.UntilAsync(() => client.Cursor == 2 && stub.Heads().Length == 2, "the event after the reconnect");
        await stop.CancelAsync();
        await run;

        var counters = client.Counters.Snapshot();
        Assert.Equal(1, counters.TooSlowSignals);
        Assert.Equal(1, counters.Reconnects);
        Assert.Equal(0, counters.Lost + counters.Duplicates + counters.ErrorCount + counters.Resets + counters.GoneSignals);
        var again = stub.Heads()[1];
        if (transport == TransportIds.Sse)
        {
            Assert.Contains("Last-Event-ID: 1\r\n", again, StringComparison.Ordinal); // as EventSource resumes
        }
        else
        {
            Assert.StartsWith("GET /feed/ws?after=1 ", again, StringComparison.Ordinal);
        }
    }
}
