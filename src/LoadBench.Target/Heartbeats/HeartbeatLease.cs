using System.Runtime.CompilerServices;

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
    /// The items of <paramref name="source"/>; while waiting for the next one, <paramref name="beat"/> runs once per
    /// tick. The wait for the item is never cancelled by a tick (it is the same pending <c>MoveNextAsync</c>), so no
    /// item is lost or reordered, and a beat never overlaps the caller's handling of an item: it runs only while
    /// the caller is waiting here.
    /// </summary>
    public async IAsyncEnumerable<T> Interleave<T>(
        IAsyncEnumerable<T> source, Func<CancellationToken, ValueTask> beat, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(beat);
        await using var items = source.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            // A completed MoveNextAsync gives a cached task for bool: only a real wait allocates.
            var pending = items.MoveNextAsync().AsTask();
            while (!pending.IsCompleted && await Task.WhenAny(pending, _tick) != pending)
            {
                _tick = _ticker.NextTick;
                await beat(cancellationToken);
            }

            if (!await pending)
            {
                yield break;
            }

            yield return items.Current;
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
