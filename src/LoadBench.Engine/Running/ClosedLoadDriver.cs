using System.Collections.Concurrent;
using LoadBench.Engine.LoadModels;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Running;

/// <summary>
/// The closed-model scheduler: keeps as many client copies running as <see cref="ClosedLoadPlan.CopiesAt"/>
/// asks, checking every tick. Each copy is one <see cref="IFeedClient.RunAsync"/> with its own
/// <see cref="CancellationTokenSource"/>; copies stop newest first. A stopped copy's final counters are kept,
/// so nothing it counted is lost from the totals.
/// </summary>
internal sealed class ClosedLoadDriver(ScenarioClients clients) : ILoadDriver
{
    private readonly ClosedLoadPlan _plan = new(clients.Scenario.Load);
    private readonly List<Copy> _live = [];
    // Copies whose run completed, for whatever reason, in the order they did: each tick looks at these only, not at
    // every live copy (at 8,000 subscribers that scan, ten times a second, was 3 % of the engine's CPU at 1 event/s).
    private readonly ConcurrentQueue<Copy> _ended = new();
    private readonly object _lock = new();
    private ClientCountersSnapshot _retired = ClientCountersSnapshot.Empty;
    private int _peak;
    private int _refusedAtOnce;
    private bool _cursorFresh = true;
    private int? _capacity;

    public int Clients
    {
        get
        {
            lock (_lock)
            {
                return _live.Count;
            }
        }
    }

    public int PeakClients => Volatile.Read(ref _peak);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task PlayAsync(TimeSpan length, CancellationToken cancellationToken)
    {
        var time = clients.Options.TimeProvider;
        var start = time.GetTimestamp();
        while (true)
        {
            var elapsed = time.GetElapsedTime(start);
            if (elapsed >= length)
            {
                return;
            }

            await AdjustAsync(_plan.CopiesAt(elapsed), cancellationToken);
            var wait = Min(clients.Options.TickInterval, length - time.GetElapsedTime(start));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }

    public Task SettleAtStartAsync(CancellationToken cancellationToken) => AdjustAsync(_plan.CopiesAt(TimeSpan.Zero), cancellationToken);

    public void BeginMeasuredPhase()
    {
        Volatile.Write(ref _peak, 0);
        _refusedAtOnce = 0;
    }

    public ClientCountersSnapshot Snapshot()
    {
        lock (_lock)
        {
            var sum = _retired.Add(clients.SchedulerCounters.Snapshot());
            foreach (var copy in _live)
            {
                sum = sum.Add(copy.Client.Counters.Snapshot());
            }

            return sum;
        }
    }

    public long EventsDelivered()
    {
        lock (_lock)
        {
            var sum = _retired.EventsDelivered + clients.SchedulerCounters.EventsDelivered;
            foreach (var copy in _live)
            {
                sum += copy.Client.Counters.EventsDelivered;
            }

            return sum;
        }
    }

    public async Task<long> DrainAsync(long lastSeq, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = clients.Options.TimeProvider;
        var start = time.GetTimestamp();
        while (true)
        {
            long undelivered = 0;
            lock (_lock)
            {
                foreach (var copy in _live)
                {
                    undelivered += Math.Max(0, lastSeq - copy.Client.Cursor);
                }
            }

            if (undelivered == 0 || time.GetElapsedTime(start) >= timeout)
            {
                return undelivered;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }
    }

    public async Task StopAsync()
    {
        List<Copy> all;
        lock (_lock)
        {
            all = [.. _live];
        }

        await StopCopiesAsync(all);
        _ended.Clear(); // every copy has stopped: nothing left to retire, and nothing to keep alive
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task AdjustAsync(int wanted, CancellationToken cancellationToken)
    {
        await RetireExitedAsync();
        var running = Clients;
        if (wanted > running)
        {
            await StartCopiesAsync(wanted - running, cancellationToken);
        }
        else if (wanted < running)
        {
            List<Copy> newest;
            lock (_lock)
            {
                newest = _live.Skip(wanted).ToList();
            }

            await StopCopiesAsync(newest);
        }

        var now = Clients;
        if (now > Volatile.Read(ref _peak))
        {
            Volatile.Write(ref _peak, now);
        }
    }

    private async Task StartCopiesAsync(int missing, CancellationToken cancellationToken)
    {
        var perTick = Math.Max(1, (int)(clients.Options.MaxCopyStartsPerSecond * clients.Options.TickInterval.TotalSeconds));

        // The budget is measured while no copy runs and then counts one socket per copy: a copy started a
        // moment ago may not have connected yet, so re-reading the open files every tick would over-count room.
        var running = Clients;
        if (running == 0 || _capacity is null)
        {
            var free = FdBudget.CopiesFor(clients.Options.FdBudget.Available(), clients.Scenario.Setup.StreamsPerConnection);
            _capacity = free == int.MaxValue ? int.MaxValue : free + running;
        }

        var budget = Math.Max(0, _capacity.Value - running);
        var starting = Math.Min(missing, Math.Min(perTick, budget));

        // Copies the fd budget cannot hold are refused, not attempted: count the most refused at once, so a
        // plan that keeps asking every tick is counted once per copy, not once per tick.
        var refused = Math.Max(0, missing - budget);
        if (refused > _refusedAtOnce)
        {
            for (var i = _refusedAtOnce; i < refused; i++)
            {
                clients.SchedulerCounters.Error(SchedulerErrors.FdLimit);
            }

            _refusedAtOnce = refused;
        }

        if (starting <= 0)
        {
            return;
        }

        if (!_cursorFresh)
        {
            await clients.RefreshCursorAsync(cancellationToken);
        }

        _cursorFresh = false;
        for (var i = 0; i < starting; i++)
        {
            IFeedClient client;
            try
            {
                client = clients.Create();
            }
#pragma warning disable CA1031 // A client that cannot be created is an error to count, not a reason to abort the scenario.
            catch (Exception)
#pragma warning restore CA1031
            {
                clients.SchedulerCounters.Error(SchedulerErrors.ClientCreateFailed);
                continue;
            }

            var cts = new CancellationTokenSource();
            var run = Task.Run(() => client.RunAsync(cts.Token), CancellationToken.None);
            var copy = new Copy(client, cts, run);
            lock (_lock)
            {
                _live.Add(copy);
            }

            _ = run.ContinueWith(
                static (_, state) => { var (ended, copy) = ((ConcurrentQueue<Copy>, Copy))state!; ended.Enqueue(copy); },
                (_ended, copy), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>A copy whose RunAsync returned before it was asked to stop gave up: count it, keep its
    /// counters, and let the next tick start a replacement.</summary>
    private async Task RetireExitedAsync()
    {
        List<Copy>? exited = null;
        while (_ended.TryDequeue(out var ended))
        {
            // A copy the plan (or the end) stopped ends too: that is no exit, and it is retired where it was stopped.
            if (!ended.Stopping)
            {
                (exited ??= []).Add(ended);
            }
        }

        foreach (var copy in exited ?? [])
        {
            clients.SchedulerCounters.Error(copy.Run.IsFaulted ? SchedulerErrors.ClientFailed : SchedulerErrors.ClientExited);
            // Disposed before its counters are retired: what a client writes while closing (an HTTP/2 RST_STREAM for
            // its cancelled stream, a TLS record around it) crossed its socket and is part of its bytes.
            await copy.DisposeAsync();
            Retire(copy);
        }
    }

    private async Task StopCopiesAsync(List<Copy> copies)
    {
        if (copies.Count == 0)
        {
            return;
        }

        foreach (var copy in copies)
        {
            copy.Stopping = true; // before its run can end of the cancellation
            await copy.Cancellation.CancelAsync();
        }

        var all = Task.WhenAll(copies.Select(c => c.Run));
        try
        {
            await all.WaitAsync(clients.Options.StopTimeout, clients.Options.TimeProvider);
        }
        catch (TimeoutException)
        {
            foreach (var copy in copies.Where(c => !c.Run.IsCompleted))
            {
                clients.SchedulerCounters.Error(SchedulerErrors.ClientStopTimeout);
            }
        }
#pragma warning disable CA1031 // RunAsync should not throw; if one does, it is counted below, per copy.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        foreach (var copy in copies.Where(c => c.Run.IsFaulted))
        {
            clients.SchedulerCounters.Error(SchedulerErrors.ClientFailed);
        }

        // Every copy closed before any is counted: closing writes bytes too (an HTTP/2 stream's RST_STREAM, the
        // connection's last frames and TLS records), which the target counts; and a shared HTTP/2 connection closes
        // with its last member while its bytes settle into its first member's counters.
        foreach (var copy in copies)
        {
            await copy.DisposeAsync();
        }

        foreach (var copy in copies)
        {
            Retire(copy);
        }
    }

    private void Retire(Copy copy)
    {
        lock (_lock)
        {
            if (_live.Remove(copy))
            {
                _retired = _retired.Add(copy.Client.Counters.Snapshot());
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>One running client. A class, not a record: it is found in <c>_live</c> by identity, and it has state.</summary>
    private sealed class Copy(IFeedClient client, CancellationTokenSource cancellation, Task run) : IAsyncDisposable
    {
        private volatile bool _stopping;

        public IFeedClient Client { get; } = client;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task Run { get; } = run;

        /// <summary>Asked to stop (by the plan or at the end): its run's end is not an exit.</summary>
        public bool Stopping
        {
            get => _stopping;
            set => _stopping = value;
        }

        public async ValueTask DisposeAsync()
        {
            Cancellation.Dispose();
            try
            {
                await Client.DisposeAsync();
            }
#pragma warning disable CA1031 // Disposing a finished client must not fail the run.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
