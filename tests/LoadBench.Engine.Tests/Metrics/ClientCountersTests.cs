using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Tests.Metrics;

public sealed class ClientCountersTests
{
    [Fact]
    public void Snapshot_HoldsWhatTheClientCounted()
    {
        var counters = new ClientCounters();
        counters.EventDelivered(payloadBytes: 40);
        counters.EventDelivered(payloadBytes: 60);
        counters.DuplicatePayload(60); // on the wire again, not delivered again
        counters.Request(empty: true);
        counters.Request();
        counters.Error("http_503");
        counters.Error("http_503");
        counters.Error("connect_refused");

        var snapshot = counters.Snapshot();

        Assert.Equal((2, 160, 2, 1), (snapshot.EventsDelivered, snapshot.PayloadBytes, snapshot.Requests, snapshot.EmptyResponses));
        Assert.Equal(3, snapshot.ErrorCount);
        Assert.Equal(2, snapshot.Errors["http_503"]);
        Assert.Equal(1, snapshot.Errors["connect_refused"]);
    }

    [Fact]
    public void Since_IsWhatWasCountedAfterTheEarlierSnapshot_AndAddPutsItBack()
    {
        var counters = new ClientCounters();
        counters.EventDelivered(10);
        counters.Error("timeout");
        var earlier = counters.Snapshot();
        counters.EventDelivered(10);
        counters.EventDelivered(10);
        counters.Reconnect();
        counters.Error("http_503");
        var later = counters.Snapshot();

        var since = later.Since(earlier);
        var again = earlier.Add(since);

        Assert.Equal((2, 20, 1), (since.EventsDelivered, since.PayloadBytes, since.Reconnects));
        // A kind that did not change since the earlier snapshot is not in the difference at all.
        Assert.Equal(["http_503"], since.Errors.Keys);
        Assert.Equal(later with { Errors = again.Errors }, again);
        Assert.Equal(later.Errors.OrderBy(e => e.Key), again.Errors.OrderBy(e => e.Key));
    }

    [Fact]
    public void Add_SnapshotsWithAndWithoutErrors_SumsEveryKind_AndEventsDeliveredMatchesTheSnapshot()
    {
        var quiet = new ClientCounters();
        quiet.EventDelivered(10);
        quiet.EventDelivered(10);
        var failing = new ClientCounters();
        failing.EventDelivered(10);
        failing.Error("http_503");
        var alsoFailing = new ClientCounters();
        alsoFailing.Error("http_503");
        alsoFailing.Error("timeout");

        // Summed in every order, as the drivers sum their clients; a side without errors must not lose the other's.
        var sum = ClientCountersSnapshot.Empty.Add(quiet.Snapshot()).Add(failing.Snapshot()).Add(alsoFailing.Snapshot()).Add(quiet.Snapshot());
        var other = alsoFailing.Snapshot().Add(quiet.Snapshot()).Add(failing.Snapshot()).Add(ClientCountersSnapshot.Empty).Add(quiet.Snapshot());

        Assert.Equal(5, sum.EventsDelivered);
        Assert.Equal(new Dictionary<string, long> { ["http_503"] = 2, ["timeout"] = 1 }, sum.Errors.OrderBy(e => e.Key).ToDictionary());
        Assert.Equal(sum.Errors.OrderBy(e => e.Key), other.Errors.OrderBy(e => e.Key));
        Assert.Equal((2, 1, 0), (quiet.EventsDelivered, failing.EventsDelivered, alsoFailing.EventsDelivered));
        Assert.Empty(quiet.Snapshot().Errors);
        // Adding to a snapshot never changes it: the shared "no errors" is not written to.
        Assert.Empty(ClientCountersSnapshot.Empty.Errors);
    }
}
