using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using LoadBench.Contracts;

namespace LoadBench.Target.Feed;

/// <summary>
/// The feed: an ordered log with one publisher and any number of readers, kept in a ring of
/// <see cref="Retention"/> events.
/// <para>
/// Readers never lock. The publisher writes the slot, then publishes the new latest seq; a reader reads the
/// latest seq, then the slot, and checks the slot's seq (a slot overwritten meanwhile means the reader fell
/// behind retention: "gone"). Waiting readers share one <see cref="TaskCompletionSource"/> per publish, swapped
/// by the publisher, so waking any number of long-poll, SSE or WebSocket waiters costs one completion and no
/// thread per waiter.
/// </para>
/// </summary>
public sealed class FeedLog
{
    private readonly TimeProvider _time;
    private readonly PublishedEvent?[] _ring;
    private readonly Lock _publishLock = new();
    private long _latestSeq;
    private long _firstSeq = 1;
    private string? _publisherEpoch;
    private TaskCompletionSource _nextPublish = NewSignal();
    private TaskCompletionSource _settingsChanged = NewSignal();
    private FeedSettingsState _settings;

    public FeedLog(TimeProvider time, TargetOptions options)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Retention, 1);
        _time = time;
        _ring = new PublishedEvent?[options.Retention];
        _settings = FeedSettingsState.Create(options.RatePerSecond, options.PayloadBytes, TimeSpan.FromMilliseconds(options.DeliveryDelayMs));
        IsReplica = options.FollowUrl is not null;
    }

    /// <summary>
    /// This feed follows a publisher (<c>--follow</c>): its events arrive through <see cref="Append"/>, and a cursor
    /// beyond its latest seq means "not received here yet" rather than a cursor from another run.
    /// </summary>
    public bool IsReplica { get; }

    /// <summary>
    /// Where the publisher (<c>--publish-to</c>) hands each published event on, in seq order, to be sent to the
    /// stream; null when nobody replicates the feed. Written inside the publish lock, so the order is the feed's.
    /// </summary>
    internal ChannelWriter<PublishedEvent>? Outbox { get; set; }

    public int Retention => _ring.Length;

    /// <summary>Latest published seq; 0 before the first publish.</summary>
    public long LatestSeq => Volatile.Read(ref _latestSeq);

    /// <summary>Oldest retained seq; 0 before the first publish.</summary>
    public long OldestSeq => OldestFor(LatestSeq);

    internal FeedSettingsState Settings => Volatile.Read(ref _settings);

    /// <summary>Completes the next time the settings change (the publisher waits on it while paused).</summary>
    internal Task SettingsChanged => Volatile.Read(ref _settingsChanged).Task;

    public FeedInfo Info()
    {
        var settings = Settings;
        var latest = LatestSeq;
        return new FeedInfo(OldestFor(latest), latest, settings.RatePerSecond, settings.PayloadBytes,
            (int)settings.DeliveryDelay.TotalMilliseconds, Volatile.Read(ref _publisherEpoch));
    }

    /// <summary>Publishes one event now, with the current payload size, and wakes every waiting reader.</summary>
    public PublishedEvent Publish()
    {
        TaskCompletionSource readersSignal;
        PublishedEvent feedEvent;
        lock (_publishLock)
        {
            var seq = _latestSeq + 1;
            var json = JsonSerializer.SerializeToUtf8Bytes(
                new FeedEvent(seq, UnixMicros(_time.GetUtcNow()), Settings.Payload), ContractsJson.Default.FeedEvent);
            feedEvent = new PublishedEvent(seq, json, seq.ToString(CultureInfo.InvariantCulture), _time.GetTimestamp());
            readersSignal = StoreUnderLock(feedEvent);
            Outbox?.TryWrite(feedEvent);
        }

        // Completed outside the lock: continuations run asynchronously anyway, but no reason to hold it.
        readersSignal.TrySetResult();
        return feedEvent;
    }

    /// <summary>
    /// A replica's publish: stores the event the publisher made, its JSON exactly as received (never parsed
    /// or re-serialized, so seq, ts and every byte are the publisher's), and wakes every waiting reader.
    /// The first event appended may have any seq (the stream keeps only the newest); after it, seqs must follow
    /// on without a gap.
    /// </summary>
    /// <exception cref="InvalidOperationException">The seq does not follow the latest: the publisher restarted
    /// (its feed began again) or this replica missed events the stream no longer holds.</exception>
    public PublishedEvent Append(long seq, ReadOnlyMemory<byte> json)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, 1);
        TaskCompletionSource readersSignal;
        PublishedEvent feedEvent;
        lock (_publishLock)
        {
            var latest = _latestSeq;
            if (latest == 0)
            {
                Volatile.Write(ref _firstSeq, seq);
            }
            else if (seq != latest + 1)
            {
                throw new InvalidOperationException(
                    $"Received seq {seq} after {latest}: " + (seq <= latest
                        ? "the publisher's feed began again (it restarted)."
                        : "events in between are no longer in the stream (this replica fell behind its retention)."));
            }

            feedEvent = new PublishedEvent(seq, json, seq.ToString(CultureInfo.InvariantCulture), _time.GetTimestamp());
            readersSignal = StoreUnderLock(feedEvent);
        }

        readersSignal.TrySetResult();
        return feedEvent;
    }

    /// <summary>Under the publish lock: writes the slot, then the latest seq (readers read them the other way round).</summary>
    private TaskCompletionSource StoreUnderLock(PublishedEvent feedEvent)
    {
        Volatile.Write(ref _ring[feedEvent.Seq % _ring.Length], feedEvent);
        Volatile.Write(ref _latestSeq, feedEvent.Seq);
        return SwapReadersSignal();
    }

    /// <summary>A replica takes the publisher's settings and epoch as they are, to report them (it publishes nothing itself).</summary>
    internal void AdoptPublisherInfo(FeedInfo publisher)
    {
        Volatile.Write(ref _publisherEpoch, publisher.Epoch);
        UpdateSettings(publisher.RatePerSecond, publisher.PayloadBytes, publisher.DeliveryDelayMs);
    }

    internal void UpdateSettings(double? ratePerSecond, int? payloadBytes, int? deliveryDelayMs)
    {
        TaskCompletionSource changed;
        TaskCompletionSource readersSignal;
        lock (_publishLock)
        {
            var current = Settings;
            var next = FeedSettingsState.Create(
                ratePerSecond ?? current.RatePerSecond,
                payloadBytes ?? current.PayloadBytes,
                deliveryDelayMs is { } ms ? TimeSpan.FromMilliseconds(ms) : current.DeliveryDelay);
            Volatile.Write(ref _settings, next);
            changed = _settingsChanged;
            Volatile.Write(ref _settingsChanged, NewSignal());
            // A shorter delivery delay can make held-back events visible now: let waiting readers look again.
            readersSignal = SwapReadersSignal();
        }

        changed.TrySetResult();
        readersSignal.TrySetResult();
    }

    /// <summary>Under the publish lock: installs a fresh signal and returns the one waiting readers hold.</summary>
    private TaskCompletionSource SwapReadersSignal()
    {
        var current = _nextPublish;
        Volatile.Write(ref _nextPublish, NewSignal());
        return current;
    }

    /// <summary>
    /// The event with seq <paramref name="seq"/> if it is published and visible (past the delivery delay).
    /// </summary>
    public EventLookup TryGet(long seq, out PublishedEvent? feedEvent)
    {
        feedEvent = null;
        var latest = LatestSeq;
        if (seq > latest)
        {
            return EventLookup.NotYet;
        }

        if (seq < OldestFor(latest))
        {
            return EventLookup.Gone;
        }

        var candidate = Volatile.Read(ref _ring[seq % _ring.Length]);
        if (candidate is null || candidate.Seq != seq)
        {
            // Overwritten between reading latest and the slot: the reader fell behind retention.
            return EventLookup.Gone;
        }

        if (!IsVisible(candidate))
        {
            return EventLookup.NotYet;
        }

        feedEvent = candidate;
        return EventLookup.Found;
    }

    /// <summary>The visible events after <paramref name="after"/>, oldest first, at most <paramref name="max"/>.</summary>
    public FeedRead Read(long after, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var latest = LatestSeq;
        var oldest = OldestFor(latest);
        if (after + 1 < oldest)
        {
            return FeedRead.GoneFrom(oldest);
        }

        var count = (int)Math.Min(max, latest - after);
        if (count <= 0)
        {
            return new FeedRead([], false, oldest);
        }

        var events = new List<PublishedEvent>(count);
        for (var seq = after + 1; seq <= after + count; seq++)
        {
            switch (TryGet(seq, out var feedEvent))
            {
                case EventLookup.Found:
                    events.Add(feedEvent!);
                    break;
                case EventLookup.Gone:
                    return FeedRead.GoneFrom(OldestSeq);
                default:
                    return new FeedRead(events, false, oldest);
            }
        }

        return new FeedRead(events, false, oldest);
    }

    /// <summary>
    /// Follows the feed from <paramref name="after"/>, as SSE and WebSocket do (both are projections of this
    /// loop): every event after it, in order, each as soon as it is visible; between events it waits as
    /// <see cref="WaitForEventAfterAsync"/> does, on the shared publish signal, with no thread and no polling.
    /// It ends only with one <see cref="FeedItemKind.Gone"/> item, when the cursor is or falls behind retention,
    /// or by cancellation (an <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <param name="after">The last seq the follower has; 0 starts at the oldest retained event.</param>
    /// <param name="cancellationToken">Ends the follow.</param>
    public IAsyncEnumerable<FeedItem> FollowAsync(long after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        return FollowCoreAsync(after, cancellationToken);
    }

    private async IAsyncEnumerable<FeedItem> FollowCoreAsync(long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A cursor already behind retention needs no check of its own: its first look finds the next event gone.
        var cursor = EffectiveCursor(after);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Take the signal before looking, so a publish between the look and the wait is not missed.
            var signal = Volatile.Read(ref _nextPublish).Task;
            switch (TryGet(cursor + 1, out var next))
            {
                case EventLookup.Found:
                    cursor = next!.Seq;
                    yield return FeedItem.Of(next);
                    break;
                case EventLookup.Gone:
                    yield return FeedItem.Gone(cursor, OldestSeq);
                    yield break;
                default:
                    // Awaited here rather than through WaitForEventAfterAsync: no async method box per wait.
                    await UntilWorthLookingAsync(cursor, signal, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>
    /// Completes when an event after <paramref name="after"/> can be read (published and past the delivery
    /// delay), or when it is gone. Never spins: it awaits the shared publish signal or, under a delivery
    /// delay, a timer until the next event becomes visible.
    /// </summary>
    public async Task WaitForEventAfterAsync(long after, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Take the signal before looking, so a publish between the look and the wait is not missed.
            var signal = Volatile.Read(ref _nextPublish).Task;
            if (TryGet(after + 1, out _) is EventLookup.Found or EventLookup.Gone)
            {
                return;
            }

            await UntilWorthLookingAsync(after, signal, cancellationToken);
        }
    }

    /// <summary>
    /// For a reader at <paramref name="after"/> that found nothing to read: completes when it is worth looking
    /// again — on the next publish or settings change (<paramref name="signal"/>, taken before the look), or,
    /// when the next event is published but held back by the delivery delay, exactly when it is due.
    /// </summary>
    private Task UntilWorthLookingAsync(long after, Task signal, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref _ring[(after + 1) % _ring.Length]);
        if (next is not null && next.Seq == after + 1)
        {
            var remaining = Settings.DeliveryDelay - _time.GetElapsedTime(next.PublishedTimestamp);
            return remaining > TimeSpan.Zero ? UntilDueAsync(remaining, signal, cancellationToken) : Task.CompletedTask;
        }

        return signal.WaitAsync(cancellationToken);
    }

    /// <summary>The held-back event is due, or the settings changed (a shorter delay), whichever comes first.</summary>
    private async Task UntilDueAsync(TimeSpan remaining, Task signal, CancellationToken cancellationToken)
    {
        await Task.WhenAny(Task.Delay(remaining, _time, cancellationToken), signal);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Is <paramref name="after"/> older than retention (events after it are lost)? after=0 never is: it means "the oldest retained".</summary>
    internal bool IsGone(long after, out long oldestSeq)
    {
        oldestSeq = OldestSeq;
        return after != 0 && after + 1 < oldestSeq;
    }

    /// <summary>after=0 reads from the oldest retained event: the cursor just before it.</summary>
    internal long EffectiveCursor(long after) => after == 0 ? Math.Max(0, OldestSeq - 1) : after;

    private bool IsVisible(PublishedEvent feedEvent)
    {
        var delay = Settings.DeliveryDelay;
        return delay <= TimeSpan.Zero || _time.GetElapsedTime(feedEvent.PublishedTimestamp) >= delay;
    }

    /// <summary>A replica's first seq is the oldest its stream still held when it started, not always 1.</summary>
    private long OldestFor(long latest) => latest == 0 ? 0 : Math.Max(Volatile.Read(ref _firstSeq), latest - _ring.Length + 1);

    private static long UnixMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public enum EventLookup
{
    Found,
    NotYet,
    Gone,
}
