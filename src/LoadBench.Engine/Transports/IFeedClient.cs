using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Transports;

/// <summary>
/// One logical subscriber of the feed over one transport: it owns its cursor (the last seq it received),
/// its connection(s) and its <see cref="ClientCounters"/>. This is the seam between transport clients and
/// the scheduler: the scheduler decides how many clients run and for how long; a client decides how to
/// talk to the target. Either side can change alone.
/// </summary>
public interface IFeedClient : IAsyncDisposable
{
    /// <summary>The client's own counters. Single writer (the client); the scheduler reads them with
    /// <see cref="ClientCounters.Snapshot"/> for live progress and sums them when the phase ends.</summary>
    ClientCounters Counters { get; }

    /// <summary>Last seq received (0 before the first event).</summary>
    long Cursor { get; }

    /// <summary>
    /// Subscribes and receives until <paramref name="cancellationToken"/> fires: checks every seq, records
    /// each event's publish → receive latency, and on a failed connection reconnects and resumes from the
    /// cursor. Returns normally on cancellation; never throws for a network error (it counts it).
    /// </summary>
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A client that can also be driven one request at a time by an open load model (Inject, RampingInject):
/// the scheduler calls <see cref="SendOneAsync"/> at the arrival times it plans. Only the request/response
/// transports (polling, long polling) implement it.
/// </summary>
public interface IRequestDrivenClient : IFeedClient
{
    /// <summary>
    /// Sends one poll from the cursor and processes its answer. Request latency is recorded from
    /// <paramref name="intendedStartTimestamp"/> (a timestamp of the client's clock,
    /// <see cref="FeedClientOptions.TimeProvider"/>'s <see cref="TimeProvider.GetTimestamp"/>), not from when the
    /// request actually left, so a stalled target cannot hide behind a stalled client (coordinated omission).
    /// </summary>
    Task SendOneAsync(long intendedStartTimestamp, CancellationToken cancellationToken);
}
