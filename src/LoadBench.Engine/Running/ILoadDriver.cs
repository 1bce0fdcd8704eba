using LoadBench.Engine.Metrics;

namespace LoadBench.Engine.Running;

/// <summary>Plays a scenario's load with transport clients: the closed or the open model's half of the scheduler.</summary>
internal interface ILoadDriver : IAsyncDisposable
{
    /// <summary>Clients running now (closed) or requests in flight (open).</summary>
    int Clients { get; }

    /// <summary>Most clients at once since <see cref="BeginMeasuredPhase"/> (open models: the pool size).</summary>
    int PeakClients { get; }

    /// <summary>Creates what must exist before the first phase (the open model's client pool).</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Plays the load plan from its beginning for <paramref name="length"/>.</summary>
    Task PlayAsync(TimeSpan length, CancellationToken cancellationToken);

    /// <summary>Brings the load to the plan's level at t = 0, before the measured phase's baseline is taken.</summary>
    Task SettleAtStartAsync(CancellationToken cancellationToken);

    /// <summary>Starts the measured phase's own bookkeeping: peak clients and refused copies count afresh.</summary>
    void BeginMeasuredPhase();

    /// <summary>Sum of every client's counters (running and stopped) plus the scheduler's own errors.</summary>
    ClientCountersSnapshot Snapshot();

    /// <summary>Events delivered by every client (running and stopped): <see cref="Snapshot"/>'s EventsDelivered,
    /// summed without making a snapshot per client (the sampler asks once a second, of every client).</summary>
    long EventsDelivered();

    /// <summary>Waits until the clients received every event up to <paramref name="lastSeq"/> (closed) or
    /// their requests in flight finished (open), or <paramref name="timeout"/> passes.</summary>
    /// <returns>Events the subscribers never received: for each live client, how far its cursor stayed short of
    /// <paramref name="lastSeq"/> when the time ran out. A subscriber that silently stopped receiving has no later
    /// seq to reveal its gap, so this is where that loss is counted.</returns>
    Task<long> DrainAsync(long lastSeq, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Cancels every client and waits for it to return.</summary>
    Task StopAsync();
}
