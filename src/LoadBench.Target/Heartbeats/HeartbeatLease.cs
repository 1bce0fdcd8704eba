namespace LoadBench.Target.Heartbeats;

/// <summary>One stream's place at a shared heartbeat ticker (<see cref="HeartbeatTickers"/>).</summary>
public sealed class HeartbeatLease : IDisposable
{
    private readonly HeartbeatTickers _owner;
    private readonly HeartbeatTickers.Ticker _ticker;
    private Task _tick;
    private bool _disposed;

    internal HeartbeatLease(HeartbeatTickers owner, HeartbeatTickers.Ticker ticker)
    {
        _owner = owner;
        _ticker = ticker;
        // The first tick after joining counts, even one that fires before the stream starts waiting.
        _tick = ticker.NextTick;
    }

    /// <summary>
    /// Runs <paramref name="beat"/> once per tick until <paramref name="pending"/> (a stream's wait for its next item)
    /// completes; its result is the caller's to read. The wait is never cancelled by a tick, so no item is lost or
    /// reordered, and a beat never overlaps the caller's own writes: it runs only while the caller waits here.
    /// </summary>
    public async Task BeatUntilAsync(Task pending, Func<CancellationToken, ValueTask> beat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(beat);
        while (!pending.IsCompleted && await Task.WhenAny(pending, _tick) != pending)
        {
            _tick = _ticker.NextTick;
            await beat(cancellationToken);
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _owner.Leave(_ticker);
        }
    }
}
