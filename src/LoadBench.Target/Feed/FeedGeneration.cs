using System.Security.Cryptography;

namespace LoadBench.Target.Feed;

/// <summary>
/// One life of the feed, from its start or a restart to the next restart: its epoch, its ring and its latest
/// seq. A restart swaps the whole generation, so a reader that holds one sees a consistent feed — the slots
/// and the latest seq of one epoch, never a new epoch's events under an old epoch's cursor — and notices the
/// restart by comparing references.
/// </summary>
internal sealed class FeedGeneration(int retention)
{
    /// <summary>The epoch id: 16 random hex digits, new on every start and restart (<see cref="LoadBench.Contracts.FeedInfo.Epoch"/>).</summary>
    public string Epoch { get; } = RandomNumberGenerator.GetHexString(16, lowercase: true);

    public PublishedEvent?[] Ring { get; } = new PublishedEvent?[retention];

    /// <summary>Written only under the publish lock, read without it (<see cref="Volatile"/>).</summary>
    public long LatestSeq;

    public long OldestSeq => OldestFor(Volatile.Read(ref LatestSeq));

    public long OldestFor(long latest) => latest == 0 ? 0 : Math.Max(1, latest - Ring.Length + 1);

    /// <summary>Is <paramref name="epoch"/> (a client's, from the query) some other epoch than this one? Absent or empty is not.</summary>
    public bool IsStale(string? epoch) => !string.IsNullOrEmpty(epoch) && !string.Equals(epoch, Epoch, StringComparison.Ordinal);
}
