using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using LoadBench.Contracts;
using LoadBench.Target.SlowConsumers;

namespace LoadBench.Target.Feed;

/// <summary>
/// The feed: an ordered log with one publisher and any number of readers, kept in a ring of
/// <see cref="Retention"/> events.
/// <para>
/// Readers never lock. The publisher writes the slot, then publishes the new latest seq; a reader reads the
/// latest seq, then the slot, and checks the slot's seq (a slot overwritten meanwhile means the reader fell
/// behind retention: "gone"). Waiting readers share one <see cref="TaskCompletionSource"/> per publish, swapped
/// by the publisher, so waking any number of long-poll, SSE or WebSocket waiters costs one completion and no
/// thread per waiter. A caught-up SSE or WebSocket follower does not even wait there: it parks in <see cref="FanOut"/>,
/// whose few workers write each new event into its output themselves (<see cref="FeedFanOut"/>), so a publish wakes
/// no subscriber at all unless one needs its own loop.
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
    private int _waitingReaders;
    private DateTimeOffset _publisherPausedUntil;
    private readonly long _maxLagEvents;
    private readonly TimeSpan _maxLagTime;
    private readonly long _maxLagTimestampTicks;
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
        _maxLagEvents = options.SlowConsumerMaxLagEvents > 0 ? options.SlowConsumerMaxLagEvents : long.MaxValue;
        _maxLagTime = options.SlowConsumerMaxLagSeconds > 0 ? TimeSpan.FromSeconds(options.SlowConsumerMaxLagSeconds) : TimeSpan.MaxValue;
        _maxLagTimestampTicks = options.SlowConsumerMaxLagSeconds > 0
            ? (long)Math.Min(options.SlowConsumerMaxLagSeconds * time.TimestampFrequency, long.MaxValue / 2)
            : long.MaxValue;
        IsReplica = options.FollowUrl is not null;
        FanOut = new FeedFanOut(this, Environment.ProcessorCount);
    }

    /// <summary>Writes each change of the feed to the parked SSE and WebSocket subscribers (<see cref="FeedFanOut"/>).</summary>
    internal FeedFanOut FanOut { get; }

    /// <summary>Is any slow-consumer bound set (<see cref="TargetOptions.SlowConsumerMaxLagEvents"/>, <see cref="TargetOptions.SlowConsumerMaxLagSeconds"/>)?</summary>
    internal bool HasSlowConsumerBound => _maxLagEvents != long.MaxValue || _maxLagTime != TimeSpan.MaxValue;

    /// <summary>
    /// This feed follows a publisher (<c>--follow</c>): its events and epochs arrive through <see cref="Append"/>, and a
    /// cursor beyond its latest seq means "not received here yet" rather than a cursor from another run.
    /// </summary>
    public bool IsReplica { get; }

    /// <summary>
    /// Where the publisher (<c>--publish-to</c>) hands each published event on, with its epoch, in seq order, to be
    /// sent to the stream; null when nobody replicates the feed. Written inside the publish lock, so the order is the feed's.
    /// </summary>
    internal ChannelWriter<OutboxEvent>? Outbox { get; set; }

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
        FanOut.OnFeedChanged();
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
        FanOut.OnFeedChanged();
        return true;
    }

    private PublishedEvent PublishLocked(DateTimeOffset now, out TaskCompletionSource readersSignal)
    {
        var generation = _generation;
        var seq = generation.LatestSeq + 1;
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new FeedEvent(seq, UnixMicros(now), Settings.Payload), ContractsJson.Default.FeedEvent);
        var feedEvent = PublishedEvent.Create(seq, json, _time.GetTimestamp());
        Volatile.Write(ref generation.Ring[seq % generation.Ring.Length], feedEvent);
        Volatile.Write(ref generation.LatestSeq, seq);
        readersSignal = SwapReadersSignal();
        Outbox?.TryWrite(new OutboxEvent(generation.Epoch, feedEvent));
        return feedEvent;
    }

    /// <summary>
    /// A replica's publish: stores the event the publisher made, its JSON exactly as received (never parsed or
    /// re-serialized, so seq, ts and every byte are the publisher's), and wakes every waiting reader. An event of
    /// another epoch than the current one means the publisher's feed restarted: the replica restarts too, into a
    /// generation with the publisher's epoch, and its followers are told <see cref="FeedItemKind.Reset"/> as the
    /// publisher's are. A generation's first event may have any seq (the stream keeps only the newest); after it,
    /// seqs must follow on without a gap.
    /// </summary>
    /// <exception cref="InvalidOperationException">The seq does not follow the latest of its epoch: this replica
    /// missed events the stream no longer holds.</exception>
    public PublishedEvent Append(string epoch, long seq, ReadOnlyMemory<byte> json)
    {
        ArgumentException.ThrowIfNullOrEmpty(epoch);
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, 1);
        TaskCompletionSource readersSignal;
        PublishedEvent feedEvent;
        lock (_publishLock)
        {
            var generation = _generation;
            if (generation.Epoch != epoch)
            {
                generation = new FeedGeneration(_retention, epoch);
                Volatile.Write(ref _generation, generation);
            }

            var latest = generation.LatestSeq;
            if (latest == 0)
            {
                Volatile.Write(ref generation.FirstSeq, seq);
            }
            else if (seq != latest + 1)
            {
                throw new InvalidOperationException(
                    $"Received seq {seq} after {latest} in epoch {epoch}: events in between are no longer in the stream (this replica fell behind its retention).");
            }

            feedEvent = PublishedEvent.Create(seq, json.Span, _time.GetTimestamp());
            Volatile.Write(ref generation.Ring[seq % generation.Ring.Length], feedEvent);
            Volatile.Write(ref generation.LatestSeq, seq);
            readersSignal = SwapReadersSignal();
        }

        readersSignal.TrySetResult();
        FanOut.OnFeedChanged();
        return feedEvent;
    }

    /// <summary>
    /// A replica that starts before the publisher published anything takes the publisher's epoch (from the settings
    /// bucket), so its <c>/feed/info</c> names it from the first moment. Only an empty feed takes it: events decide after.
    /// </summary>
    internal void AdoptEpochIfEmpty(string? epoch)
    {
        if (string.IsNullOrEmpty(epoch))
        {
            return;
        }

        lock (_publishLock)
        {
            if (_generation.LatestSeq == 0 && _generation.Epoch != epoch)
            {
                Volatile.Write(ref _generation, new FeedGeneration(_retention, epoch));
            }
        }
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
        FanOut.OnFeedChanged();
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
        FanOut.OnFeedChanged();
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

    internal EventLookup TryGet(FeedGeneration generation, long seq, out PublishedEvent? feedEvent)
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
    /// while it follows, <see cref="FeedItemKind.TooSlow"/> when the follower falls past the slow-consumer
    /// bound — or by cancellation (an <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <param name="after">The last seq the follower has; 0 starts at the oldest retained event.</param>
    /// <param name="epoch">The epoch the follower's cursor belongs to; null or empty: the current one (no check).</param>
    /// <param name="cancellationToken">Ends the follow.</param>
    public IAsyncEnumerable<FeedItem> FollowAsync(long after, string? epoch = null, CancellationToken cancellationToken = default) =>
        FollowAsync(after, epoch, follower: null, cancellationToken);

    /// <inheritdoc cref="FollowAsync(long, string?, CancellationToken)"/>
    public IAsyncEnumerable<FeedItem> FollowAsync(long after, CancellationToken cancellationToken) =>
        FollowAsync(after, epoch: null, follower: null, cancellationToken);

    /// <inheritdoc cref="FollowAsync(long, string?, CancellationToken)"/>
    /// <param name="after">The last seq the follower has; 0 starts at the oldest retained event.</param>
    /// <param name="epoch">The epoch the follower's cursor belongs to; null or empty: the current one (no check).</param>
    /// <param name="follower">Where the loop leaves its cursor for <see cref="SlowConsumerSweep"/>; null: nobody watches.</param>
    /// <param name="cancellationToken">Ends the follow.</param>
    public IAsyncEnumerable<FeedItem> FollowAsync(long after, string? epoch, FeedFollower? follower, CancellationToken cancellationToken) =>
        FollowAsync(after, epoch, follower, fanOut: null, cancellationToken);

    /// <inheritdoc cref="FollowAsync(long, string?, CancellationToken)"/>
    /// <param name="after">The last seq the follower has; 0 starts at the oldest retained event.</param>
    /// <param name="epoch">The epoch the follower's cursor belongs to; null or empty: the current one (no check).</param>
    /// <param name="follower">Where the loop leaves its cursor for <see cref="SlowConsumerSweep"/>; null: nobody watches.</param>
    /// <param name="fanOut">The subscriber's place in <see cref="FanOut"/>: caught up (and without a delivery delay), the
    /// loop parks there instead of waiting for the next publish, and the fan-out writes the events it is not told of
    /// (<see cref="FanOutSubscription"/>); null: the loop yields every event itself.</param>
    /// <param name="cancellationToken">Ends the follow.</param>
    internal IAsyncEnumerable<FeedItem> FollowAsync(long after, string? epoch, FeedFollower? follower, FanOutSubscription? fanOut, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        return FollowCoreAsync(after, epoch, follower, fanOut, cancellationToken);
    }

    private async IAsyncEnumerable<FeedItem> FollowCoreAsync(
        long after, string? epoch, FeedFollower? follower, FanOutSubscription? fanOut, [EnumeratorCancellation] CancellationToken cancellationToken)
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
        var startLatest = Volatile.Read(ref generation.LatestSeq);
        var startTimestamp = _time.GetTimestamp();
        follower?.Start(cursor, startLatest, startTimestamp);
        fanOut?.Start(generation, startLatest, startTimestamp, follower);
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
                    if (IsTooSlow(generation, cursor, next!, startLatest, startTimestamp))
                    {
                        yield return FeedItem.TooSlow(cursor, Volatile.Read(ref generation.LatestSeq));
                        yield break;
                    }

                    cursor = next!.Seq;
                    if (follower is not null)
                    {
                        follower.Cursor = cursor;
                    }

                    yield return FeedItem.Of(next);
                    break;
                case EventLookup.Gone:
                    yield return FeedItem.Gone(cursor, generation.OldestSeq);
                    yield break;
                default:
                    if (fanOut is not null && Settings.DeliveryDelay <= TimeSpan.Zero)
                    {
                        // Parked: the fan-out writes what is published until something needs this loop; then look again
                        // from where it left the cursor.
                        await fanOut.WaitAsync(cursor);
                        fanOut.ThrowIfWriteFailed();
                        cursor = fanOut.Cursor;
                        break;
                    }

                    // Awaited here rather than through WaitForEventAfterAsync: no async method box per wait.
                    await UntilWorthLookingAsync(generation, cursor, signal, cancellationToken);
                    break;
            }
        }
    }

    private static FeedItem ResetItem(FeedGeneration current) =>
        FeedItem.Reset(current.Epoch, Volatile.Read(ref current.LatestSeq));

    /// <summary>
    /// The slow-consumer bound, for a follower at <paramref name="cursor"/> whose next event
    /// <paramref name="next"/> is visible. Behind means: more than the bound's events published since the
    /// later of its cursor and its start (a backlog asked for on purpose, by a resume or after=0, is not lag), or
    /// the latest event was published more than the bound's time after its oldest undelivered one (or after its
    /// start, when that is later), the delivery delay not counted. Both are read off the feed — the latest seq
    /// and the latest event's publish time — so judging costs no clock read: per event one read and one
    /// comparison when the follower is caught up, one more read of the ring when it has a backlog.
    /// </summary>
    internal bool IsTooSlow(FeedGeneration generation, long cursor, PublishedEvent next, long startLatest, long startTimestamp)
    {
        var latest = Volatile.Read(ref generation.LatestSeq);
        if (latest - Math.Max(cursor, startLatest) > _maxLagEvents)
        {
            return true;
        }

        if (next.Seq >= latest || _maxLagTime == TimeSpan.MaxValue
            || Volatile.Read(ref generation.Ring[latest % generation.Ring.Length]) is not { } newest)
        {
            return false;
        }

        // The slot may already hold a newer event than `latest`: later still, so the follower is as far behind or more.
        // Within the bound in raw timestamp ticks is the usual answer, and needs no conversion; past it, the
        // delivery delay (which holds every event back alike) is taken off before judging.
        var from = Math.Max(next.PublishedTimestamp, startTimestamp);
        return newest.PublishedTimestamp - from > _maxLagTimestampTicks
            && _time.GetElapsedTime(from, newest.PublishedTimestamp) - Settings.DeliveryDelay > _maxLagTime;
    }

    /// <summary>The same bound for <see cref="SlowConsumerSweep"/>, which has only the follower's cursor: a cursor
    /// behind retention is behind; one with nothing visible after it is judged on events only.</summary>
    /// (A follower of an older generation is told of the restart by its own loop; it is judged on the current one.)
    internal bool IsTooSlow(long cursor, long startLatest, long startTimestamp)
    {
        var generation = Generation;
        return TryGet(generation, cursor + 1, out var next) switch
        {
            EventLookup.Gone => true,
            EventLookup.Found => IsTooSlow(generation, cursor, next!, startLatest, startTimestamp),
            _ => Volatile.Read(ref generation.LatestSeq) - Math.Max(cursor, startLatest) > _maxLagEvents,
        };
    }

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

            Interlocked.Increment(ref _waitingReaders);
            try
            {
                await UntilWorthLookingAsync(current, after, signal, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _waitingReaders);
            }
        }
    }

    /// <summary>Readers inside <see cref="WaitForEventAfterAsync(long, string?, CancellationToken)"/> now, waiting:
    /// lets a test act on a long poll that has read its cursor and is waiting, not one still on its way in.</summary>
    internal int WaitingReaders => Volatile.Read(ref _waitingReaders);

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
