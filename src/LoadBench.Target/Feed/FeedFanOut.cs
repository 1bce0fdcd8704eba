using LoadBench.Target.Stats;

namespace LoadBench.Target.Feed;

/// <summary>
/// Writes each published event to every caught-up SSE and WebSocket subscriber from a few fan-out workers, instead of
/// waking every subscriber's own loop. The subscribers are split into one shard per core; after a publish (or a restart
/// or settings change) each shard runs one pass on the thread pool over its parked subscribers
/// (<see cref="FanOutSubscription"/>), writing into each one's output every event published since its cursor — already
/// framed at publish — and flushing it once. With Kestrel's inline socket sends the flush is the socket write, on the
/// worker's thread.
/// <para>
/// Why: a subscriber woken per publish costs a thread-pool work item, a cancellable wait, and the resumption of its
/// follow and send loops' state machines before its write — per subscriber per event. Here a publish costs one work
/// item per shard, and a pass that starts while events keep coming carries all of them to each subscriber in one write
/// (passes never overlap in a shard: a publish during one makes it run again). Nothing is skipped: every event is
/// framed, written, flushed and counted as the send loops do, in order, with the same bytes.
/// </para>
/// <para>
/// What the pass does not do, it hands back (the subscriber's follow loop wakes and does it as always): a flush that did
/// not complete at once (back-pressure: the loop awaits it), a stall fault, a delivery delay, an event gone from
/// retention, a subscriber past the slow-consumer bound, a restart, a cancelled follow, a backlog over
/// <see cref="MaxBytesPerPass"/>.
/// </para>
/// </summary>
internal sealed class FeedFanOut
{
    /// <summary>About this many bytes per subscriber per pass (SSE frames; the send loops' own bound per write): a subscriber
    /// further behind is handed back, so one slow subscriber cannot hold up its shard.</summary>
    public const int MaxBytesPerPass = 64 * 1024;

    private readonly FeedLog _log;
    private readonly Shard[] _shards;
    private int _nextShard = -1;

    public FeedFanOut(FeedLog log, int shards)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        _log = log;
        _shards = new Shard[shards];
        for (var i = 0; i < shards; i++)
        {
            _shards[i] = new Shard(this);
        }
    }

    /// <summary>Passes run so far (all shards): for tests, which wait for facts rather than for time.</summary>
    internal long Passes => _shards.Sum(shard => Volatile.Read(ref shard.PassCount));

    /// <summary>Writes the fan-out made (one per subscriber per pass that had events for it): for tests.</summary>
    internal long Writes => _shards.Sum(shard => Volatile.Read(ref shard.WriteCount));

    /// <summary>No pass is queued or running (tests wait for it after a publish).</summary>
    internal bool IsIdle => _shards.All(shard => shard.IsIdle);

    internal FeedGeneration Generation => _log.Generation;

    /// <summary>
    /// Registers a subscriber whose output the fan-out may write to while it is parked; dispose the result when its send
    /// loop has ended.
    /// </summary>
    /// <param name="sink">The subscriber's output.</param>
    /// <param name="connection">For stall faults: a stalled subscriber is handed back.</param>
    /// <param name="wakeToken">The follow's token: cancelled, the subscriber is handed back.</param>
    /// <param name="flushToken">The token the send loop flushes with.</param>
    public FanOutSubscription Subscribe(IFanOutSink sink, FeedConnection? connection, CancellationToken wakeToken, CancellationToken flushToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var subscription = new FanOutSubscription(this, sink, connection, wakeToken, flushToken);
        var shard = _shards[(uint)Interlocked.Increment(ref _nextShard) % (uint)_shards.Length];
        shard.Add(subscription);
        return subscription;
    }

    internal static void Remove(FanOutSubscription subscription) => subscription.Shard?.Remove(subscription);

    /// <summary>The feed changed (a publish, a restart, a settings change): every shard with subscribers runs a pass.</summary>
    public void OnFeedChanged()
    {
        foreach (var shard in _shards)
        {
            shard.Request();
        }
    }

    /// <summary>Does a subscriber about to park have something to look at itself: an event it has not been given, a
    /// restart, a cancelled follow? (Read after it became parked, so a pass that ran just before cannot be missed.)</summary>
    internal bool NeedsLook(FanOutSubscription subscription)
    {
        var generation = _log.Generation;
        return subscription.WakeToken.IsCancellationRequested
            || !ReferenceEquals(generation, subscription.Generation)
            || Volatile.Read(ref generation.LatestSeq) > subscription.Cursor;
    }

    /// <summary>One parked subscriber: every event since its cursor into its output, one flush; or hand it back. True
    /// when it wrote.</summary>
    private bool Deliver(FanOutSubscription subscription)
    {
        if (!subscription.TryBeginDelivery())
        {
            return false;
        }

        var delivered = false;
        try
        {
            var generation = _log.Generation;
            var cursor = subscription.Cursor;
            if (subscription.WakeToken.IsCancellationRequested || !ReferenceEquals(generation, subscription.Generation))
            {
                subscription.HandBack();
                return false;
            }

            var latest = Volatile.Read(ref generation.LatestSeq);
            if (latest <= cursor)
            {
                subscription.EndDelivery();
                return false;
            }

            if (_log.Settings.DeliveryDelay > TimeSpan.Zero || subscription.Connection is { IsStalled: true })
            {
                subscription.HandBack();
                return false;
            }

            var handBack = false;
            var bytes = 0;
            var appended = 0;
            for (var seq = cursor + 1; seq <= latest; seq++)
            {
                if (bytes >= MaxBytesPerPass
                    || _log.TryGet(generation, seq, out var next) != EventLookup.Found
                    || _log.IsTooSlow(generation, cursor, next!, subscription.StartLatest, subscription.StartTimestamp))
                {
                    // Gone, too slow or a large backlog: said or sent by the subscriber's own loops, after what was appended.
                    handBack = true;
                    break;
                }

                subscription.Sink.Append(next!);
                bytes += next!.SseFrame.Length;
                appended++;
                cursor = seq;
            }

            if (appended == 0)
            {
                subscription.HandBack();
                return false;
            }

            var flush = subscription.Sink.FlushAsync(subscription.FlushToken);
            subscription.Delivered(cursor);
            delivered = true;
            if (!flush.IsCompletedSuccessfully)
            {
                // Back-pressure: nobody writes to it until the flush is done (its completion decides what comes next).
                subscription.Flush(flush);
            }
            else if (flush.Result && handBack)
            {
                subscription.HandBack();
            }
            else
            {
                // Open, or a WebSocket whose close frame is out (its follow ends with the connection): parked.
                subscription.EndDelivery();
            }
        }
        catch (Exception e)
        {
            // A write that failed at once: the subscriber's send loop sees the failure as if it had written itself.
            subscription.HandBack(e);
        }

        return delivered;
    }

    /// <summary>A slice of the subscribers and the pass over them: at most one pass at a time, and one more if the feed
    /// changed during it.</summary>
    internal sealed class Shard(FeedFanOut owner) : IThreadPoolWorkItem
    {
        private readonly Lock _lock = new();
        private readonly List<FanOutSubscription> _members = [];
        private FanOutSubscription[] _pass = [];
        private int _requests;
        private int _count;

        /// <summary>Passes run (read by tests).</summary>
        internal long PassCount;

        /// <summary>Subscribers written to (read by tests).</summary>
        internal long WriteCount;

        public void Add(FanOutSubscription subscription)
        {
            lock (_lock)
            {
                subscription.Shard = this;
                subscription.ShardIndex = _members.Count;
                _members.Add(subscription);
                Volatile.Write(ref _count, _members.Count);
            }
        }

        public void Remove(FanOutSubscription subscription)
        {
            lock (_lock)
            {
                var index = subscription.ShardIndex;
                if (index < 0 || index >= _members.Count || !ReferenceEquals(_members[index], subscription))
                {
                    return;
                }

                // Swap with the last: O(1), and the order of members means nothing (each gets its own events in order).
                var last = _members[^1];
                _members[index] = last;
                last.ShardIndex = index;
                _members.RemoveAt(_members.Count - 1);
                subscription.ShardIndex = -1;
                Volatile.Write(ref _count, _members.Count);
            }
        }

        public bool IsIdle => Volatile.Read(ref _requests) == 0;

        /// <summary>Asks for a pass; queues one unless one is queued or running (which then runs once more). An empty shard
        /// has nothing to do (a subscriber that joins later looks for itself before it parks).</summary>
        public void Request()
        {
            if (Volatile.Read(ref _count) > 0 && Interlocked.Increment(ref _requests) == 1)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        public void Execute()
        {
            var seen = Volatile.Read(ref _requests);
            while (true)
            {
                RunPass();
                var left = Interlocked.Add(ref _requests, -seen);
                if (left == 0)
                {
                    return;
                }

                seen = left;
            }
        }

        private void RunPass()
        {
            int count;
            lock (_lock)
            {
                // The members are copied into a buffer the shard keeps (passes never overlap), so subscribers may come and
                // go during a pass without a lock per subscriber and without an allocation per pass.
                count = _members.Count;
                if (_pass.Length < count)
                {
                    _pass = new FanOutSubscription[Math.Max(count, 2 * _pass.Length)];
                }

                _members.CopyTo(_pass);
            }

            long writes = 0;
            for (var i = 0; i < count; i++)
            {
                if (owner.Deliver(_pass[i]))
                {
                    writes++;
                }
            }


            // No subscriber kept alive by the buffer between passes.
            Array.Clear(_pass, 0, count);
            Interlocked.Increment(ref PassCount);
            Interlocked.Add(ref WriteCount, writes);
        }
    }
}
