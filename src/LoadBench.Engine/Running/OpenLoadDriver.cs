using System.Collections.Concurrent;
using LoadBench.Engine.LoadModels;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Running;

/// <summary>
/// The open-model scheduler: fires <see cref="IRequestDrivenClient.SendOneAsync"/> at the planned arrival
/// times, passing the INTENDED start, and never waits for earlier requests (coordinated omission: a stalled
/// target must show up as latency, not as a client that politely stopped asking).
/// </summary>
/// <remarks>
/// Logical clients: a pool of <c>N</c> request-driven clients, each with its own cursor, each sending one
/// request at a time. An arrival takes the idle client that has waited longest (FIFO): every logical client
/// polls in turn, so all of them see the feed at the same pace, all their connections are open (memory per
/// connection divides by connections that exist), and none sits unused until a spike and then replays the
/// backlog since the scenario's start cursor. If none is idle, the arrival is dropped and counted as
/// <see cref="SchedulerErrors.OpenModelBacklog"/>.
/// So <c>N</c> is also the bound on requests in flight. N = the scenario's <c>clients</c>, else the plan's
/// peak arrivals per second rounded up: a target that answers within a second never exhausts the pool.
/// </remarks>
internal sealed class OpenLoadDriver(ScenarioClients clients) : ILoadDriver
{
    private readonly OpenLoadPlan _plan = new(clients.Scenario.Load);
    private readonly ConcurrentQueue<IRequestDrivenClient> _idle = new();
    private readonly List<IRequestDrivenClient> _all = [];
    private readonly CancellationTokenSource _requests = new();
    private int _inFlight;

    public int PoolSize => clients.Scenario.OpenModelClients ?? Math.Max(1, (int)Math.Ceiling(_plan.PeakArrivalsPerSecond));

    public int Clients => Volatile.Read(ref _inFlight);

    public int PeakClients => _all.Count;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var wanted = PoolSize;
        var budget = FdBudget.CopiesFor(clients.Options.FdBudget.Available(), clients.Scenario.Setup.StreamsPerConnection);
        for (var i = 0; i < wanted; i++)
        {
            if (i >= budget)
            {
                clients.SchedulerCounters.Error(SchedulerErrors.FdLimit);
                continue;
            }

            IFeedClient client;
            try
            {
                client = clients.Create();
            }
#pragma warning disable CA1031 // Counted, and the pool runs with the clients it has.
            catch (Exception)
#pragma warning restore CA1031
            {
                clients.SchedulerCounters.Error(SchedulerErrors.ClientCreateFailed);
                continue;
            }

            if (client is not IRequestDrivenClient requestDriven)
            {
                await client.DisposeAsync();
                throw new InvalidOperationException(
                    $"Transport '{clients.Scenario.Transport}' has no request-driven client, so it cannot follow an open model (Inject, RampingInject).");
            }

            _all.Add(requestDriven);
            _idle.Enqueue(requestDriven);
        }
    }

    public async Task PlayAsync(TimeSpan length, CancellationToken cancellationToken)
    {
        var time = clients.Options.TimeProvider;
        var start = time.GetTimestamp();
        foreach (var offset in _plan.Arrivals(length))
        {
            var intended = start + (long)(offset.TotalSeconds * time.TimestampFrequency);
            var wait = time.GetElapsedTime(time.GetTimestamp(), intended);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            // Late (a busy machine, a GC pause)? Fire anyway, with the timestamp it was planned for.
            Dispatch(intended);
        }

        var rest = length - time.GetElapsedTime(start);
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest, time, cancellationToken);
        }
    }

    public Task SettleAtStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void BeginMeasuredPhase()
    {
    }

    public ClientCountersSnapshot Snapshot()
    {
        var sum = clients.SchedulerCounters.Snapshot();
        foreach (var client in _all)
        {
            sum = sum.Add(client.Counters.Snapshot());
        }

        return sum;
    }

    public long EventsDelivered()
    {
        var sum = clients.SchedulerCounters.EventsDelivered;
        foreach (var client in _all)
        {
            sum += client.Counters.EventsDelivered;
        }

        return sum;
    }

    /// <returns>0: a pooled client only polls when an arrival picks it, so it is not owed every event.</returns>
    public async Task<long> DrainAsync(long lastSeq, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = clients.Options.TimeProvider;
        var start = time.GetTimestamp();
        while (Volatile.Read(ref _inFlight) > 0 && time.GetElapsedTime(start) < timeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }

        return 0;
    }

    public async Task StopAsync()
    {
        await _requests.CancelAsync();
        var time = clients.Options.TimeProvider;
        var start = time.GetTimestamp();
        while (Volatile.Read(ref _inFlight) > 0 && time.GetElapsedTime(start) < clients.Options.StopTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), time);
        }

        for (var i = Volatile.Read(ref _inFlight); i > 0; i--)
        {
            clients.SchedulerCounters.Error(SchedulerErrors.ClientStopTimeout);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var client in _all)
        {
            try
            {
                await client.DisposeAsync();
            }
#pragma warning disable CA1031 // Disposing a finished client must not fail the run.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        _all.Clear();
        _requests.Dispose();
    }

    private void Dispatch(long intendedTimestamp)
    {
        if (_requests.IsCancellationRequested)
        {
            return;
        }

        if (!_idle.TryDequeue(out var client))
        {
            clients.SchedulerCounters.Error(SchedulerErrors.OpenModelBacklog);
            return;
        }

        Interlocked.Increment(ref _inFlight);
        _ = SendAsync(client, intendedTimestamp);
    }

    private async Task SendAsync(IRequestDrivenClient client, long intendedTimestamp)
    {
        try
        {
            // Yield first: the scheduler's loop must not run the request's synchronous part.
            await Task.Yield();
            await client.SendOneAsync(intendedTimestamp, _requests.Token);
        }
        catch (OperationCanceledException) when (_requests.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // SendOneAsync should count its own failures; anything escaping is counted here.
        catch (Exception)
#pragma warning restore CA1031
        {
            clients.SchedulerCounters.Error(SchedulerErrors.ClientFailed);
        }
        finally
        {
            _idle.Enqueue(client);
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
