using LoadBench.Target.Feed;

namespace LoadBench.Target.Compression;

/// <summary>
/// Compressed poll answers, made once per distinct answer and kept for the next poller that gets the same one.
/// Pollers that follow the feed together ask for the same batch (same cursor, same <c>max</c>): compressing it
/// once keeps the target's cost per request what it is without compression — bytes written from memory — plus one
/// compression per distinct batch, the way the uncompressed path serializes each event once at publish.
/// </summary>
/// <remarks>
/// A batch is known by its coding, its first event and its length: events are immutable and a restarted feed
/// makes new event objects, so the first event's identity (not just its seq) tells an old epoch's batch from a
/// new one's. The cache is bounded (<see cref="Capacity"/> batches, the oldest evicted first), so memory stays
/// bounded whatever the pollers ask; pollers spread over many cursors then simply compress more often.
/// </remarks>
internal sealed class CompressedBatches
{
    public const int Capacity = 1024;

    private readonly Dictionary<(string Coding, long FirstSeq, int Count), (PublishedEvent? First, byte[] Body)> _batches = [];
    private readonly Queue<(string Coding, long FirstSeq, int Count)> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Compressions done so far (a cache miss each): the test's and the benchmark's view of the sharing.</summary>
    public long Compressions { get; private set; }

    /// <summary>The JSON array of <paramref name="events"/>, compressed with <paramref name="coding"/>.</summary>
    public byte[] Get(string coding, IReadOnlyList<PublishedEvent> events)
    {
        var first = events.Count > 0 ? events[0] : null;
        var key = (coding, first?.Seq ?? 0, events.Count);
        lock (_lock)
        {
            if (_batches.TryGetValue(key, out var cached) && ReferenceEquals(cached.First, first))
            {
                return cached.Body;
            }
        }

        // Compressed outside the lock: two pollers missing at once both compress, and one result is kept.
        var body = ResponseCodings.Compress(coding, EventArray.Bytes(events));
        lock (_lock)
        {
            Compressions++;
            if (!_batches.ContainsKey(key))
            {
                _order.Enqueue(key);
                if (_order.Count > Capacity)
                {
                    _batches.Remove(_order.Dequeue());
                }
            }

            _batches[key] = (first, body);
        }

        return body;
    }
}
