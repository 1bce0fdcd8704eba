using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
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
/// <para>
/// The ring and the latest seq belong to a <see cref="FeedGeneration"/>, one per epoch. <see cref="Restart"/>
/// swaps it under the publish lock and wakes every waiter; a follower holds the generation it started in and,
/// finding a newer one, is told <see cref="FeedItemKind.Reset"/>. Every read here goes through one generation
/// read once, so an answer never mixes two epochs.
/// </para>
/// </summary>
public sealed class FeedLog
{
    private readonly TimeProvider _time;
    private readonly int _retention;
    private readonly Lock _publishLock = new();
    private FeedGeneration _generation;
    private DateTimeOffset _publisherPausedUntil;
    private TaskCompletionSource _nextPublish = NewSignal();
    private TaskCompletionSource _settingsChanged = NewSignal();
    private FeedSettingsState _settings;

    public FeedLog(TimeProvider time, TargetOptions options)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Retention, 1);
        _time = time;
        _retention = options.Retention;
        _generation = new FeedGeneration(options.Retention);
        _settings = FeedSettingsState.Create(options.RatePerSecond, options.PayloadBytes, TimeSpan.FromMilliseconds(options.DeliveryDelayMs));
    }

    public int Retention => _retention;

    /// <summary>The current epoch: an id that changes on every <see cref="Restart"/>.</summary>
    public string Epoch => Generation.Epoch;

    /// <summary>Latest published seq of the current epoch; 0 before its first publish.</summary>
    public long LatestSeq => Volatile.Read(ref Generation.LatestSeq);

    /// <summary>Oldest retained seq of the current epoch; 0 before its first publish.</summary>
    public long OldestSeq => Generation.OldestSeq;

    internal FeedGeneration Generation => Volatile.Read(ref _generation);

    internal FeedSettingsState Settings => Volatile.Read(ref _settings);

    /// <summary>Completes the next time the settings change (the publisher waits on it while paused).</summary>
    internal Task SettingsChanged => Volatile.Read(ref _settingsChanged).Task;

    public FeedInfo Info()
    {
        var settings = Settings;
        var generation = Generation;
        var latest = Volatile.Read(ref generation.LatestSeq);
        return new FeedInfo(generation.OldestFor(latest), latest, settings.RatePerSecond, settings.PayloadBytes,
            (int)settings.DeliveryDelay.TotalMilliseconds, generation.Epoch);
    }

    /// <summary>
    /// Publishes one event now, with the current payload size, and wakes every waiting reader. A publisher
    /// pause (<see cref="PausePublisher"/>) does not apply: this is publishing by hand.
    /// </summary>
    public PublishedEvent Publish()
    {
        TaskCompletionSource readersSignal;
        PublishedEvent feedEvent;
        lock (_publishLock)
        {
            feedEvent = PublishLocked(_time.GetUtcNow(), out readersSignal);
        }

        // Completed outside the lock: continuations run asynchronously anyway, but no reason to hold it.
        readersSignal.TrySetResult();
        return feedEvent;
    }

    /// <summary>
    /// The publisher's publish: like <see cref="Publish"/>, unless the publisher is paused. The pause is
    /// checked under the publish lock with the event's own clock reading, so no scheduled event ever carries a
    /// <c>ts</c> inside a pause.
    /// </summary>
    internal bool TryPublishScheduled()
    {
        TaskCompletionSource readersSignal;
        lock (_publishLock)
        {
            var now = _time.GetUtcNow();
            if (now < _publisherPausedUntil)
            {
                return false;
            }

            PublishLocked(now, out readersSignal);
        }

        readersSignal.TrySetResult();
        return true;
    }

    private PublishedEvent PublishLocked(DateTimeOffset now, out TaskCompletionSource readersSignal)
    {
        var generation = _generation;
        var seq = generation.LatestSeq + 1;
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new FeedEvent(seq, UnixMicros(now), Settings.Payload), ContractsJson.Default.FeedEvent);
        var feedEvent = new PublishedEvent(seq, json, seq.ToString(CultureInfo.InvariantCulture), _time.GetTimestamp());
        Volatile.Write(ref generation.Ring[seq % generation.Ring.Length], feedEvent);
        Volatile.Write(ref generation.LatestSeq, seq);
        readersSignal = SwapReadersSignal();
        return feedEvent;
    }

    /// <summary>
    /// Restarts the feed: a new epoch, an empty ring, seq from 1 again. Every waiting reader wakes, and every
    /// follower of the old epoch is told <see cref="FeedItemKind.Reset"/>. Returns the new epoch.
    /// </summary>
    public string Restart()
    {
        TaskCompletionSource readersSignal;
        FeedGeneration next;
        lock (_publishLock)
        {
            next = new FeedGeneration(_retention);
            Volatile.Write(ref _generation, next);
            readersSignal = SwapReadersSignal();
        }

        readersSignal.TrySetResult();
        return next.Epoch;
    }

    /// <summary>
    /// Stops the publisher (not <see cref="Publish"/> by hand) for <paramref name="duration"/> from now by this
    /// log's clock, read under the publish lock: no scheduled event carries a <c>ts</c> inside the returned
    /// period. A later pause replaces an earlier one. The publisher is woken through <see cref="SettingsChanged"/>.
    /// </summary>
    internal (DateTimeOffset Start, DateTimeOffset End) PausePublisher(TimeSpan duration)
    {
        TaskCompletionSource changed;
        DateTimeOffset start;
        lock (_publishLock)
        {
            start = _time.GetUtcNow();
            _publisherPausedUntil = start + duration;
            changed = _settingsChanged;
            Volatile.Write(ref _settingsChanged, NewSignal());
        }

        changed.TrySetResult();
        return (start, start + duration);
    }

    /// <summary>How long the publisher is still paused; zero when it is not.</summary>
    internal TimeSpan PublisherPauseRemaining()
    {
        DateTimeOffset until;
        lock (_publishLock)
        {
            until = _publisherPausedUntil;
        }

        var remaining = until - _time.GetUtcNow();
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
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
    public EventLookup TryGet(long seq, out PublishedEvent? feedEvent) => TryGet(Generation, seq, out feedEvent);

    private EventLookup TryGet(FeedGeneration generation, long seq, out PublishedEvent? feedEvent)
    {
        feedEvent = null;
        var latest = Volatile.Read(ref generation.LatestSeq);
        if (seq > latest)
        {
            return EventLookup.NotYet;
        }

        if (seq < generation.OldestFor(latest))
        {
            return EventLookup.Gone;
        }

        var candidate = Volatile.Read(ref generation.Ring[seq % generation.Ring.Length]);
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

    /// <summary>
    /// The visible events after <paramref name="after"/>, oldest first, at most <paramref name="max"/>, all of
    /// one epoch: the one named in <see cref="FeedRead.Epoch"/>.
    /// </summary>
    public FeedRead Read(long after, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var generation = Generation;
        var latest = Volatile.Read(ref generation.LatestSeq);
        var oldest = generation.OldestFor(latest);
        if (after + 1 < oldest)
        {
            return FeedRead.GoneFrom(oldest, generation);
        }

        var count = (int)Math.Min(max, latest - after);
        if (count <= 0)
        {
            return new FeedRead([], false, oldest, generation.Epoch, latest);
        }

        var events = new List<PublishedEvent>(count);
        for (var seq = after + 1; seq <= after + count; seq++)
        {
            switch (TryGet(generation, seq, out var feedEvent))
            {
                case EventLookup.Found:
                    events.Add(feedEvent!);
                    break;
                case EventLookup.Gone:
                    return FeedRead.GoneFrom(generation.OldestSeq, generation);
                default:
                    return new FeedRead(events, false, oldest, generation.Epoch, latest);
            }
        }

        return new FeedRead(events, false, oldest, generation.Epoch, latest);
    }

    /// <summary>
    /// Follows the feed from <paramref name="after"/>, as SSE and WebSocket do (both are projections of this
    /// loop): every event after it, in order, each as soon as it is visible; between events it waits as
    /// <see cref="WaitForEventAfterAsync"/> does, on the shared publish signal, with no thread and no polling.
    /// It ends only with one final item — <see cref="FeedItemKind.Gone"/> when the cursor is or falls behind
    /// retention, <see cref="FeedItemKind.Reset"/> when <paramref name="epoch"/> is stale or the feed restarts
    /// while it follows — or by cancellation (an <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <param name="after">The last seq the follower has; 0 starts at the oldest retained event.</param>
    /// <param name="epoch">The epoch the follower's cursor belongs to; null or empty: the current one (no check).</param>
    /// <param name="cancellationToken">Ends the follow.</param>
    public IAsyncEnumerable<FeedItem> FollowAsync(long after, string? epoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        return FollowCoreAsync(after, epoch, cancellationToken);
    }

    /// <inheritdoc cref="FollowAsync(long, string?, CancellationToken)"/>
    public IAsyncEnumerable<FeedItem> FollowAsync(long after, CancellationToken cancellationToken) =>
        FollowAsync(after, epoch: null, cancellationToken);

    private async IAsyncEnumerable<FeedItem> FollowCoreAsync(long after, string? epoch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The generation is read once: a restart from here on is a newer one, and the follower is told.
        var generation = Generation;
        if (generation.IsStale(epoch))
        {
            yield return ResetItem(generation);
            yield break;
        }

        // A cursor already behind retention needs no check of its own: its first look finds the next event gone.
        var cursor = after == 0 ? Math.Max(0, generation.OldestSeq - 1) : after;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Take the signal before looking, so a publish (or restart) between the look and the wait is not missed.
            var signal = Volatile.Read(ref _nextPublish).Task;
            var current = Generation;
            if (!ReferenceEquals(current, generation))
            {
                yield return ResetItem(current);
                yield break;
            }

            switch (TryGet(generation, cursor + 1, out var next))
            {
                case EventLookup.Found:
                    cursor = next!.Seq;
                    yield return FeedItem.Of(next);
                    break;
                case EventLookup.Gone:
                    yield return FeedItem.Gone(cursor, generation.OldestSeq);
                    yield break;
                default:
                    // Awaited here rather than through WaitForEventAfterAsync: no async method box per wait.
                    await UntilWorthLookingAsync(generation, cursor, signal, cancellationToken);
                    break;
            }
        }
    }

    private static FeedItem ResetItem(FeedGeneration current) =>
        FeedItem.Reset(current.Epoch, Volatile.Read(ref current.LatestSeq));

    /// <summary>
    /// Completes when an event after <paramref name="after"/> can be read (published and past the delivery
    /// delay), when it is gone, or when the feed is no longer at <paramref name="epoch"/> (it restarted).
    /// Never spins: it awaits the shared publish signal or, under a delivery delay, a timer until the next
    /// event becomes visible.
    /// </summary>
    /// <param name="after">The reader's cursor.</param>
    /// <param name="epoch">The epoch the cursor belongs to; null: whatever epoch is current at the call.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    public async Task WaitForEventAfterAsync(long after, string? epoch, CancellationToken cancellationToken)
    {
        var generation = Generation;
        while (true)
        {
            // Take the signal before looking, so a publish between the look and the wait is not missed.
            var signal = Volatile.Read(ref _nextPublish).Task;
            var current = Generation;
            if (!ReferenceEquals(current, generation) || current.IsStale(epoch)
                || TryGet(current, after + 1, out _) is EventLookup.Found or EventLookup.Gone)
            {
                return;
            }

            await UntilWorthLookingAsync(current, after, signal, cancellationToken);
        }
    }

    /// <inheritdoc cref="WaitForEventAfterAsync(long, string?, CancellationToken)"/>
    public Task WaitForEventAfterAsync(long after, CancellationToken cancellationToken) =>
        WaitForEventAfterAsync(after, epoch: null, cancellationToken);

    /// <summary>
    /// For a reader at <paramref name="after"/> that found nothing to read: completes when it is worth looking
    /// again — on the next publish or settings change (<paramref name="signal"/>, taken before the look), or,
    /// when the next event is published but held back by the delivery delay, exactly when it is due.
    /// </summary>
    private Task UntilWorthLookingAsync(FeedGeneration generation, long after, Task signal, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref generation.Ring[(after + 1) % generation.Ring.Length]);
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

    private static long UnixMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public enum EventLookup
{
    Found,
    NotYet,
    Gone,
}
