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
}
