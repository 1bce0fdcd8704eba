using System.Net;
using System.Net.Http.Json;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Feed;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Replication;

/// <summary>
/// One publisher and two replicas over a real nats-server, behind a real nginx with the repository's
/// configuration: the replicas serve the publisher's feed byte for byte, and a client can move between them.
/// </summary>
public sealed class ScaledOutFeedTests
{
    [Fact]
    public async Task Replicas_ServeEveryEvent_WithThePublishersExactBytes()
    {
        await using var feed = await ScaledOutFeed.StartAsync();
        var published = feed.Publisher.Publish(50);
        await feed.ReplicasReachAsync(50);

        // The publisher's poll answer, byte for byte, from each replica: same events, same order, same bytes.
        var expected = "[" + string.Join(",", published) + "]";
        foreach (var replica in feed.Replicas)
        {
            Assert.Equal(expected, await replica.Http.GetStringAsync("/feed/poll?after=0"));
            for (var seq = 1; seq <= 50; seq++)
            {
                Assert.Equal(EventLookup.Found, replica.Log.TryGet(seq, out var stored));
                Assert.Equal(published[seq - 1], Encoding.UTF8.GetString(stored!.Json.Span));
            }
        }
    }

    [Fact]
    public async Task Replica_ReportsThePublishersSettings_AndRefusesToChangeThemOrRestart()
    {
        await using var feed = await ScaledOutFeed.StartAsync(replicas: 1);
        var replica = feed.Replicas[0];

        using var put = await feed.Publisher.Http.PutAsJsonAsync(FeedRoutes.Settings, new FeedSettings(PayloadBytes: 300, DeliveryDelayMs: 0), ContractsJson.Default.FeedSettings);
        put.EnsureSuccessStatusCode();
        await Wait.UntilAsync(() => replica.Log.Info().PayloadBytes == 300, "the replica reports the publisher's new payload size");

        using var refused = await replica.Http.PutAsJsonAsync(FeedRoutes.Settings, new FeedSettings(RatePerSecond: 50), ContractsJson.Default.FeedSettings);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("publisher", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var restart = await replica.Http.PostAsync(FeedRoutes.Faults, new StringContent("{\"kind\":\"restart\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, restart.StatusCode);
        Assert.Equal(feed.Publisher.Log.Epoch, replica.Log.Epoch);
        Assert.Equal(0, (await replica.InfoAsync()).RatePerSecond);
        Assert.Equal(300, (await replica.InfoAsync()).PayloadBytes);
    }

    [Fact]
    public async Task Replicas_FollowThePublishersEpoch_AcrossAFeedRestart()
    {
        await using var feed = await ScaledOutFeed.StartAsync(replicas: 1);
        var replica = feed.Replicas[0];
        Assert.Equal(feed.Publisher.Log.Epoch, replica.Log.Epoch);
        feed.Publisher.Publish(3);
        await feed.ReplicasReachAsync(3);

        var epoch = feed.Publisher.Log.Restart();
        var restarted = feed.Publisher.Publish(2);
        await Wait.UntilAsync(() => replica.Log.Epoch == epoch && replica.Log.LatestSeq == 2, "the replica is in the publisher's new epoch");

        Assert.Equal(epoch, (await replica.InfoAsync()).Epoch);
        Assert.Equal("[" + string.Join(",", restarted) + "]", await replica.Http.GetStringAsync("/feed/poll?after=0"));
    }

    [Fact]
    public async Task LaggingReplica_TreatsACursorItHasNotReceived_AsNothingNewerYet()
    {
        await using var feed = await ScaledOutFeed.StartAsync(replicas: 1);
        var replica = feed.Replicas[0];
        feed.Publisher.Publish(5);
        await feed.ReplicasReachAsync(5);
        // A cursor from a replica further ahead: seq 7 was not received here yet.
        const string Ahead = "7";

        // The publisher, whose feed it is, still calls such a cursor what it is: from another run.
        using var publisherAnswer = await feed.Publisher.Http.GetAsync($"/feed/poll?after={Ahead}");
        Assert.Equal(HttpStatusCode.BadRequest, publisherAnswer.StatusCode);

        Assert.Equal("[]", await replica.Http.GetStringAsync($"/feed/poll?after={Ahead}"));
        using var longPoll = await replica.Http.GetAsync($"/feed/long-poll?after={Ahead}&timeout=200");
        Assert.Equal(HttpStatusCode.NoContent, longPoll.StatusCode);

        var sse = ResumingSubscriber.Sse(replica.Http);
        var ws = ResumingSubscriber.WebSocket(after => replica.WebSocketUri($"?after={after}"));
        var following = Task.WhenAll(sse.RunAsync(7, 9), ws.RunAsync(7, 9));
        var events = feed.Publisher.Publish(4);

        await following;
        Assert.Equal(events[2..], sse.Received);
        Assert.Equal(events[2..], ws.Received);
    }

    [Fact]
    public async Task Client_MovingToAnotherReplicaWithItsCursor_LosesAndDuplicatesNothing()
    {
        await using var feed = await ScaledOutFeed.StartAsync();
        var (first, second) = (feed.Replicas[0], feed.Replicas[1]);
        var all = feed.Publisher.Publish(10);
        await feed.ReplicasReachAsync(10);

        // Half the events from the first replica, the rest from the second, resuming from the cursor held.
        var sse = ResumingSubscriber.Sse(first.Http);
        await sse.RunAsync(0, 5);
        var ws = ResumingSubscriber.WebSocket(after => first.WebSocketUri($"?after={after}"));
        await ws.RunAsync(0, 5);
        var poll = await first.Http.GetStringAsync("/feed/poll?after=0&max=5");

        all.AddRange(feed.Publisher.Publish(10));
        var sseMoved = ResumingSubscriber.Sse(second.Http);
        var wsMoved = ResumingSubscriber.WebSocket(after => second.WebSocketUri($"?after={after}"));
        await Task.WhenAll(sseMoved.RunAsync(sse.LastSeq, 20), wsMoved.RunAsync(ws.LastSeq, 20));
        var pollMoved = await second.Http.GetStringAsync("/feed/poll?after=5");

        Assert.Equal(all, [.. sse.Received, .. sseMoved.Received]);
        Assert.Equal(all, [.. ws.Received, .. wsMoved.Received]);
        Assert.Equal("[" + string.Join(",", all) + "]", poll[..^1] + "," + pollMoved[1..]);
    }

    [Fact]
    public async Task ControlRoutes_ThroughNginx_AreNotExposed_WhileTheFeedIs()
    {
        await using var feed = await ScaledOutFeed.StartAsync(replicas: 1);
        feed.Publisher.Publish(2);
        await feed.ReplicasReachAsync(2);
        var http = feed.ProxyHttp;
        long OtherRequests() => feed.Replicas[0].Stats.Snapshot().Transports[TransportIds.Other].Requests;
        var before = OtherRequests();

        using (var settings = await http.PutAsJsonAsync(FeedRoutes.Settings, new FeedSettings(RatePerSecond: 1), ContractsJson.Default.FeedSettings))
        {
            Assert.Equal(HttpStatusCode.Forbidden, settings.StatusCode);
        }

        foreach (var route in new[] { FeedRoutes.DropConnections, FeedRoutes.Faults })
        {
            using var post = await http.PostAsync(route, null);
            Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        }

        using (var stats = await http.GetAsync(FeedRoutes.Stats))
        {
            Assert.Equal(HttpStatusCode.Forbidden, stats.StatusCode);
        }

        using (var demo = await http.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.NotFound, demo.StatusCode);
        }

        // nginx answered every one of them itself: none reached the replica.
        Assert.Equal(before, OtherRequests());

        Assert.Equal(2, (await http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo))!.LatestSeq);
        Assert.Equal(before + 1, OtherRequests());
        Assert.Equal(2, ResumingSubscriber.Seq((await http.GetStringAsync("/feed/poll?after=1"))[1..^1]));
    }

    [Fact]
    public async Task KilledReplica_ItsClientsReconnectThroughNginxToTheOther_AndLoseNothing()
    {
        const int PerTransport = 10;
        await using var feed = await ScaledOutFeed.StartAsync();
        var all = feed.Publisher.Publish(10);
        await feed.ReplicasReachAsync(10);

        // Through nginx, from seq 0: least_conn spreads them over both replicas.
        var subscribers = Enumerable.Range(0, PerTransport).Select(_ => ResumingSubscriber.Sse(feed.ProxyHttp))
            .Concat(Enumerable.Range(0, PerTransport).Select(_ => ResumingSubscriber.WebSocket(after => feed.ProxyWebSocket($"?after={after}"))))
            .ToList();
        var running = Task.WhenAll(subscribers.Select(s => s.RunAsync(0, 40)));
        await Wait.UntilAsync(() => subscribers.All(s => s.LastSeq == 10), "every subscriber holds the first 10 events");
        var (killed, survivor) = (feed.Replicas[0], feed.Replicas[1]);
        Assert.True(Open(killed.Stats.Snapshot()) > 0, "nginx sent some subscribers to the replica about to die");
        var survivorBefore = Sent(survivor.Stats.Snapshot());

        // The replica dies: its connections are cut (no goodbye) and it stops listening.
        await killed.Http.PostAsync(FeedRoutes.DropConnections, null);
        await killed.StopAsync();
        all.AddRange(feed.Publisher.Publish(30));

        await running.WaitAsync(TimeSpan.FromSeconds(40));
        Assert.All(subscribers, s => Assert.Equal(all, s.Received));
        Assert.True(subscribers.Sum(s => s.Connections) > subscribers.Count, "some subscribers reconnected");
        // Every event after the cut went to every subscriber from the survivor, and only once.
        Assert.Equal(30 * subscribers.Count, Sent(survivor.Stats.Snapshot()) - survivorBefore);
    }

    [Fact]
    public async Task ReplicasEventsSent_EqualWhatTheClientsBehindNginxReceived()
    {
        const int PerTransport = 8;
        await using var feed = await ScaledOutFeed.StartAsync();
        var subscribers = Enumerable.Range(0, PerTransport).Select(_ => ResumingSubscriber.Sse(feed.ProxyHttp))
            .Concat(Enumerable.Range(0, PerTransport).Select(_ => ResumingSubscriber.WebSocket(after => feed.ProxyWebSocket($"?after={after}"))))
            .ToList();
        var running = Task.WhenAll(subscribers.Select(s => s.RunAsync(0, 25)));
        feed.Publisher.Publish(25);
        await running.WaitAsync(TimeSpan.FromSeconds(40));

        var received = subscribers.Sum(s => s.Received.Count);
        Assert.Equal(subscribers.Count * 25, received);
        // The replicas' own count (bytes written to their sockets, an independent truth) of what went to nginx.
        var sent = feed.Replicas.Sum(r => Sent(r.Stats.Snapshot()));
        Assert.Equal(received, sent);
        Assert.Equal(0, Sent(feed.Publisher.Stats.Snapshot()));
    }

    private static long Open(StatsSnapshot stats) =>
        stats.Transports[TransportIds.Sse].OpenConnections + stats.Transports[TransportIds.WebSocket].OpenConnections;

    private static long Sent(StatsSnapshot stats) =>
        stats.Transports.Values.Sum(t => t.EventsSent);
}
