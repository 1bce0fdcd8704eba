using LoadBench.Contracts;
using LoadBench.Engine.Distributed.Messages;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>What every scenario of a distributed run shares.</summary>
internal sealed record CoordinatorContext(
    string RunId, ITargetApi Target, AgentRoster Roster, AgentRequests Requests, LiveProgress Live,
    DistributedRunOptions Options, TimeProvider PublisherTime, IProgress<RunProgress>? Progress, RunEnvironment Environment);

/// <summary>
/// One scenario over every live agent: the coordinator owns the target's side (settings, the measured window's
/// <c>/stats</c>, the pause before the drain) exactly as the single-process executor does; the agents own the
/// clients. Shares by budget, one start instant on the publisher's clock, live view from the ticks, and one result
/// merged from the agents' reports. An agent lost on the way is named, its share left out, and the result marked
/// incomplete.
/// </summary>
internal sealed class CoordinatedScenario(CoordinatorContext context, string? previousTransport)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>After <see cref="RunAsync"/>: the agents' CPU in cores over their measured phase and drain, summed
    /// (each agent reports its own process; null when none reported it).</summary>
    public double? AgentCores { get; private set; }

    /// <summary>After <see cref="RunAsync"/>: the share of this machine's CPU busy (every process, /proc/stat) over
    /// the measured phase and drain; null where unknown. With a loopback target this is the target's machine.</summary>
    public double? MachineBusy { get; private set; }

    public async Task<ScenarioResult> RunAsync(Scenario scenario, int index, int count, CancellationToken cancellationToken)
    {
        var run = context.Options.Run;
        var time = run.TimeProvider;
        var target = context.Target;
        void Report(RunPhase phase, TimeSpan elapsed, TimeSpan remaining, double eps = 0, double p99 = 0, int clients = 0, string? message = null) =>
            context.Progress?.Report(new RunProgress(scenario.Name, index, count, phase, elapsed, remaining, eps, p99, clients, message));

        var shared = context.Options.SharedFeed;
        // The base of "KiB per connection", read once the previous scenario's (or trial's) streams have ended on the
        // target, as the single-process executor reads it. A shared feed has other runs' clients, and before the
        // session's first scenario the streams there are are not ours: nothing to wait for.
        if (!shared && previousTransport is { } previous)
        {
            await PreviousStreams.WaitUntilEndedAsync(target, previous, cancellationToken);
        }

        var before = await target.GetStatsAfterFullCollectionAsync(cancellationToken);
        // Paused while the agents prepare: the publisher starts at the start instant, so no event waits for the
        // agents' start (it would show as seconds of latency) and every event after the cursor goes to every subscriber.
        if (!shared)
        {
            await target.PutSettingsAsync(new FeedSettings(RatePerSecond: 0, scenario.Feed.PayloadBytes), cancellationToken);
        }

        var info = await target.GetInfoAsync(cancellationToken);
        if (shared && (info.RatePerSecond != scenario.Feed.RatePerSecond || info.PayloadBytes != scenario.Feed.PayloadBytes))
        {
            // The figures would claim a feed this run did not measure.
            throw new DistributedRunException(FormattableString.Invariant(
                $"Scenario '{scenario.Name}' wants {scenario.Feed.RatePerSecond} events/s of {scenario.Feed.PayloadBytes} B, but the shared feed runs {info.RatePerSecond} events/s of {info.PayloadBytes} B: set it with PUT /feed/settings before a run with a shared feed."));
        }

        var agents = context.Roster.Live;
        if (agents.Count == 0)
        {
            throw new DistributedRunException($"Scenario '{scenario.Name}': no load agent is left.");
        }

        var shares = LoadShares.Split(scenario, [.. agents.Select(a => a.OpenFileBudget)]);
        var shareOf = agents.Select((a, i) => (a, shares[i])).ToDictionary(x => x.a, x => x.Item2);
        Report(RunPhase.Starting, TimeSpan.Zero, scenario.WarmUp + scenario.Duration);

        var prepared = await context.Requests.ToAllAsync(agents, Subjects.Prepare,
            (a, _) => new PrepareRequest(context.RunId, index, ScenarioWire.From(shareOf[a]), info.LatestSeq, info.Epoch),
            DistributedJson.Default.PrepareRequest, DistributedJson.Default.AgentAck, CommandTimeout, cancellationToken);
        ThrowOnRefusal(scenario, "prepare", prepared.Select(p => (p.Key, p.Value.Ok, p.Value.Error)));

        var startAt = context.PublisherTime.GetUtcNow() + context.Options.StartLead;
        var started = await context.Requests.ToAllAsync(Live(agents), Subjects.Start,
            (_, _) => new StartRequest(context.RunId, index, UnixMicros(startAt)),
            DistributedJson.Default.StartRequest, DistributedJson.Default.AgentAck, CommandTimeout, cancellationToken);
        ThrowOnRefusal(scenario, "start", started.Select(p => (p.Key, p.Value.Ok, p.Value.Error)));

        await WatchUntilAsync(startAt, RunPhase.Starting, index, Report, cancellationToken);
        if (!shared)
        {
            await target.PutSettingsAsync(new FeedSettings(scenario.Feed.RatePerSecond, scenario.Feed.PayloadBytes), cancellationToken);
        }

        if (scenario.WarmUp > TimeSpan.Zero)
        {
            Report(RunPhase.WarmUp, TimeSpan.Zero, scenario.WarmUp);
            await WatchUntilAsync(startAt + scenario.WarmUp, RunPhase.WarmUp, index, Report, cancellationToken);
        }

        // The measured window on the target's side, as the single-process executor measures it.
        Report(RunPhase.Measured, TimeSpan.Zero, scenario.Duration);
        var measuredStart = time.GetTimestamp();
        // The scenario's faults, posted by the coordinator (it owns the target's side) at their offsets from the
        // measured phase's start, as the single-process executor posts them; the agents' clients only see their effect.
        var faultErrors = new ClientCounters();
        await using var faults = ScheduledFaults.Start(scenario.Faults, target, measuredStart, time, faultErrors, cancellationToken);
        var machineStart = run.MachineCpuTicks();
        var statsStart = await target.GetStatsAsync(cancellationToken);
        await using (var sampler = new ServerCostSampler(target, run.SampleInterval, time))
        {
            sampler.Observe(before.Process);
            sampler.Observe(statsStart.Process);
            sampler.Start();
            await WatchUntilAsync(startAt + scenario.WarmUp + scenario.Duration, RunPhase.Measured, index, Report, cancellationToken);
            await faults.StopAsync(); // a fault planned after the window's end is not posted

            Report(RunPhase.Draining, TimeSpan.Zero, run.DrainTimeout);
            // A shared feed goes on for the other run: the events of this window are those published up to its end.
            var paused = shared ? null : await target.PutSettingsAsync(new FeedSettings(RatePerSecond: 0), cancellationToken);
            if (!shared)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken);
            }

            var lastSeq = Math.Max(paused?.LatestSeq ?? 0, (await target.GetInfoAsync(cancellationToken)).LatestSeq);
            // Agents finish their measured phase on their own clocks: give them the drain and a margin.
            await context.Requests.ToAllAsync(Live(agents), Subjects.Drain,
                (_, _) => new DrainRequest(context.RunId, index, lastSeq, (int)run.DrainTimeout.TotalMilliseconds),
                DistributedJson.Default.DrainRequest, DistributedJson.Default.DrainReply, run.DrainTimeout + CommandTimeout, cancellationToken);

            var statsEnd = await target.GetStatsAsync(cancellationToken);
            var wall = time.GetElapsedTime(measuredStart);
            MachineBusy = (machineStart, run.MachineCpuTicks()) is ({ } a, { } b) && b.Total > a.Total
                ? (double)(b.Busy - a.Busy) / (b.Total - a.Total)
                : null;
            sampler.Observe(statsEnd.Process);
            var retained = await target.GetStatsAfterFullCollectionAsync(cancellationToken);
            // The window on the publisher's time line, which is the time line the target stamps its faults on.
            var faultPeriods = scenario.Faults.Count == 0
                ? null
                : FaultInjector.Periods(await target.GetFaultsAsync(cancellationToken), startAt + scenario.WarmUp, context.PublisherTime.GetUtcNow());
            var reports = await context.Requests.ToAllAsync(Live(agents), Subjects.Stop,
                (_, _) => new StopRequest(context.RunId, index),
                DistributedJson.Default.StopRequest, DistributedJson.Default.AgentReport, run.StopTimeout + CommandTimeout, cancellationToken);
            ThrowOnRefusal(scenario, "stop", reports.Select(p => (p.Key, p.Value.Ok, p.Value.Error)));
            var agentCores = reports.Values.Where(r => r.Ok).Select(r => r.EngineCores).ToList();
            AgentCores = agentCores.Any(c => c is not null) ? agentCores.Sum(c => c ?? 0) : null;

            var server = new ServerWindow(before.Process.WorkingSetBytes, sampler.PeakWorkingSet, statsStart.Process.CpuTimeMs,
                statsEnd.Process.CpuTimeMs, wall, before.Process.ManagedHeapBytes, retained.Process.ManagedHeapBytes);
            var outcomes = agents.Select(a => new AgentOutcome(a, shareOf[a], a.IsLost ? null : reports.GetValueOrDefault(a))).ToList();
            var result = AgentResults.Merge(scenario, outcomes, server, context.Environment) with { Faults = faultPeriods };
            result = WithFaultErrors(result, faultErrors.Snapshot());
            if (run.ControlUrl is not null)
            {
                // Behind a proxy, as the single-process executor reports it: the agents' bytes are the client ↔ proxy
                // leg, the targets' own counts (measured once here, not per agent) the proxy ↔ target leg.
                // Read once every agent has stopped its clients: a shared feed is never paused, and events written
                // between the drain and the stop must be on both sides of the comparison.
                var afterStop = await target.GetStatsAsync(cancellationToken);
                result = result with { ServerBytes = ScenarioExecutor.ServerLegBytes(scenario.Transport, before, afterStop) };
            }

            var lost = agents.Where(a => a.IsLost).ToList();
            if (lost.Count > 0)
            {
                result = result with
                {
                    Incomplete = new IncompleteMark
                    {
                        Reason = $"load agent(s) lost mid-run: {string.Join(", ", lost.Select(a => $"{a.Name} at {a.LostAt:HH:mm:ss.fff} UTC"))}; " +
                                 "their share of the load is missing from these figures",
                        At = lost.Min(a => a.LostAt!.Value),
                    },
                };
            }

            Report(RunPhase.Done, TimeSpan.Zero, TimeSpan.Zero, result.Throughput.EventsPerSecond, result.Latency.Event.P99Ms);
            return result;
        }
    }

    /// <summary>Shows the live view once per sample interval until <paramref name="until"/> on the publisher's clock.</summary>
    private async Task WatchUntilAsync(
        DateTimeOffset until, RunPhase phase, int index,
        Action<RunPhase, TimeSpan, TimeSpan, double, double, int, string?> report, CancellationToken cancellationToken)
    {
        var time = context.Options.Run.TimeProvider;
        var start = time.GetTimestamp();
        var lostSeen = context.Roster.Chosen.Count(a => a.IsLost);
        var probesSeen = context.Roster.Chosen.ToDictionary(a => a, a => a.Probes);
        while (true)
        {
            var remaining = until - context.PublisherTime.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            if (context.Roster.Live.Count == 0)
            {
                // Nobody is left to carry the load (NATS itself may be gone): waiting out the phase would measure nothing.
                throw new DistributedRunException(
                    $"Every load agent was lost ({string.Join(", ", context.Roster.Chosen.Select(a => $"{a.Name} at {a.LostAt:HH:mm:ss.fff} UTC"))}); is NATS still up?");
            }

            await Task.Delay(remaining < context.Options.Run.SampleInterval ? remaining : context.Options.Run.SampleInterval, time, cancellationToken);
            string? message = null;
            var lost = context.Roster.Chosen.Where(a => a.IsLost).ToList();
            if (lost.Count > lostSeen)
            {
                lostSeen = lost.Count;
                message = $"load agent lost: {string.Join(", ", lost.Select(a => $"{a.Name} at {a.LostAt:HH:mm:ss.fff} UTC"))}; the others carry on";
            }
            else if (context.Roster.Live.Where(a => a.Probes > probesSeen[a]).Select(a => a.Name).ToList() is { Count: > 0 } paused)
            {
                message = $"load agent(s) {string.Join(", ", paused)} silent for over {Subjects.AgentLostAfter.TotalSeconds:0.#} s but still connected to NATS: paused, not lost";
            }

            foreach (var agent in context.Roster.Chosen)
            {
                probesSeen[agent] = agent.Probes;
            }

            var latest = context.Live.Latest(index, context.Roster.Live.Count);
            var left = until - context.PublisherTime.GetUtcNow();
            report(phase, time.GetElapsedTime(start), left > TimeSpan.Zero ? left : TimeSpan.Zero,
                latest?.EventsPerSecond ?? 0, latest?.P99Ms ?? 0, latest?.Clients ?? 0, message);
        }
    }

    /// <summary>Faults the target refused (<c>fault_failed</c>) are errors of the scenario, as in a single-process run.</summary>
    private static ScenarioResult WithFaultErrors(ScenarioResult result, ClientCountersSnapshot faultErrors)
    {
        if (faultErrors.ErrorCount == 0)
        {
            return result;
        }

        var byKind = new SortedDictionary<string, long>(result.Errors.ByKind.ToDictionary(e => e.Key, e => e.Value), StringComparer.Ordinal);
        foreach (var (kind, count) in faultErrors.Errors)
        {
            byKind[kind] = byKind.GetValueOrDefault(kind) + count;
        }

        var total = result.Errors.Count + faultErrors.ErrorCount;
        return result with
        {
            Errors = new ErrorsResult { Count = total, Rate = ResultFigures.ErrorRate(total, result.Throughput.Requests), ByKind = byKind },
        };
    }

    private static List<RosterAgent> Live(IReadOnlyList<RosterAgent> agents) => [.. agents.Where(a => !a.IsLost)];

    private static void ThrowOnRefusal(Scenario scenario, string command, IEnumerable<(RosterAgent Agent, bool Ok, string? Error)> answers)
    {
        foreach (var (agent, ok, error) in answers)
        {
            if (!ok)
            {
                throw new DistributedRunException($"Scenario '{scenario.Name}': agent {agent.Name} refused to {command}: {error}");
            }
        }
    }

    private static long UnixMicros(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
