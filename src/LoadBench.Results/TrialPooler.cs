namespace LoadBench.Results;

/// <summary>
/// Pools the repeated trials of one scenario (<c>loadbench run --repeat N</c>) into one result, exactly, as if
/// the trials' measured phases had run back to back: histograms are added bucket by bucket and percentiles read
/// from the sum, counters are added, and rates and ratios are recomputed from the summed counts and the summed
/// measured time. Nothing is averaged. Unlike <see cref="ResultsMerger"/> (processes side by side, whose rates
/// and clients add), trials ran one after another: their rates do not add and the clients were the same ones.
/// The rules per field are in docs/results-schema.md ("Trials").
/// </summary>
public static class TrialPooler
{
    /// <summary>The pooled result, with <see cref="ScenarioResult.Trials"/> holding <paramref name="trials"/>.</summary>
    /// <exception cref="ResultsFormatException">The trials are not of one scenario, or one has trials of its own.</exception>
    public static ScenarioResult Pool(IReadOnlyList<ScenarioResult> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0)
        {
            throw new ArgumentException("Pooling needs at least one trial.", nameof(trials));
        }

        var first = trials[0];
        foreach (var trial in trials)
        {
            if (trial.Name != first.Name || trial.Transport != first.Transport || !trial.PublishRatePerSecond.Equals(first.PublishRatePerSecond)
                || trial.PayloadBytes != first.PayloadBytes || trial.PollIntervalMs != first.PollIntervalMs || !SetupResults.Same(trial, first))
            {
                throw new ResultsFormatException(
                    $"cannot pool trials of '{first.Name}' and '{trial.Name}': name, transport, publish rate, payload size, poll interval or setup (HTTP version, TLS, compression, heartbeat, streams, proxy) differ");
            }

            if (trial.Trials is not null)
            {
                throw new ResultsFormatException($"cannot pool scenario '{trial.Name}': a trial has trials of its own");
            }
        }

        return PoolCore(trials);
    }

    private static ScenarioResult PoolCore(IReadOnlyList<ScenarioResult> trials)
    {
        var first = trials[0];
        var seconds = trials.Sum(t => t.DurationSeconds);
        var events = trials.Sum(t => t.Throughput.EventsDelivered);
        var requests = trials.Sum(t => t.Throughput.Requests);
        var clients = trials.Max(t => t.Clients);

        return first with
        {
            Clients = clients,
            DurationSeconds = seconds,
            Latency = new LatencyResult
            {
                Event = LatencySummaries.Sum(trials.Select(t => t.Latency.Event))!,
                Request = LatencySummaries.Sum(trials.Select(t => t.Latency.Request)),
                Recovery = LatencySummaries.Sum(trials.Select(t => t.Latency.Recovery)),
            },
            Throughput = PoolThroughput(trials, seconds, events, requests),
            Bytes = ResultFigures.SumParts(ResultFigures.Bytes(
                trials.Sum(t => t.Bytes.Payload), trials.Sum(t => t.Bytes.Framing), trials.Sum(t => t.Bytes.Headers),
                trials.Sum(t => t.Bytes.Events ?? t.Throughput.EventsDelivered)), [.. trials.Select(t => t.Bytes)]),
            ServerBytes = ResultFigures.SumBytes(trials.Select(t => t.ServerBytes)),
                        Integrity = ResultFigures.SumIntegrity([.. trials.Select(t => t.Integrity)]),
            Errors = ResultFigures.SumErrors(trials.Select(t => t.Errors), requests),
            Server = PoolServer(trials, events),
            Proxy = PoolProxy(trials, events),
            TimeSeries = EndToEnd(trials),
            Trials = trials,
        };
    }

    private static ThroughputResult PoolThroughput(IReadOnlyList<ScenarioResult> trials, double seconds, long events, long requests)
    {
        // Counts inside the windows: stored for events (newer files); for requests, and for older files, the rate
        // times the window gives the count back.
        long? inWindow = trials.All(t => t.Throughput.EventsDeliveredInWindow is not null)
            ? trials.Sum(t => t.Throughput.EventsDeliveredInWindow!.Value)
            : null;
        var eventsInWindow = inWindow ?? trials.Sum(t => t.Throughput.EventsPerSecond * t.DurationSeconds);
        var requestsInWindow = trials.Sum(t => t.Throughput.RequestsPerSecond * t.DurationSeconds);
        return new ThroughputResult
        {
            EventsDelivered = events,
            EventsDeliveredInWindow = inWindow,
            EventsPerSecond = seconds > 0 ? eventsInWindow / seconds : 0,
            Requests = requests,
            RequestsPerSecond = seconds > 0 ? requestsInWindow / seconds : 0,
            EmptyResponseShare = trials.All(t => t.Throughput.EmptyResponseShare is null)
                ? null
                : requests > 0 ? trials.Sum(t => (t.Throughput.EmptyResponseShare ?? 0) * t.Throughput.Requests) / requests : 0,
        };
    }

    /// <summary>
    /// CPU adds up over the trials and is divided by their summed wall time (each trial's cpuMs ÷ cpuCores gives it
    /// back). Memory per connection is each trial's growth summed over the connections of all trials; the retained
    /// heap readings are moments of one trial each and stay in <see cref="ScenarioResult.Trials"/>.
    /// </summary>
    private static ServerCostResult PoolServer(IReadOnlyList<ScenarioResult> trials, long events)
    {
        var cpuMs = trials.Sum(t => t.Server.CpuMs);
        var wallMs = trials.Sum(t => t.Server.CpuCores > 0 ? t.Server.CpuMs / t.Server.CpuCores : t.DurationSeconds * 1000);
        double? kib = trials.All(t => t.Server.KibPerConnection is not null) && trials.Sum(t => t.Clients) > 0
            ? trials.Sum(t => t.Server.KibPerConnection!.Value * t.Clients) / trials.Sum(t => t.Clients)
            : null;
        return new ServerCostResult
        {
            CpuMs = cpuMs,
            CpuMsPer1000Events = events > 0 ? cpuMs * 1000.0 / events : null,
            CpuCores = wallMs > 0 ? cpuMs / wallMs : 0,
            WorkingSetBytesBefore = trials.Min(t => t.Server.WorkingSetBytesBefore),
            WorkingSetBytesPeak = trials.Max(t => t.Server.WorkingSetBytesPeak),
            KibPerConnection = kib,
        };
    }

    /// <summary>nginx's part, pooled as <see cref="PoolServer"/> pools the whole (each trial ran its own nginx); null
    /// unless every trial has one.</summary>
    private static ProxyCostResult? PoolProxy(IReadOnlyList<ScenarioResult> trials, long events)
    {
        if (!trials.All(t => t.Proxy is not null))
        {
            return null;
        }

        var cpuMs = trials.Sum(t => t.Proxy!.CpuMs);
        var wallMs = trials.Sum(t => t.Proxy!.CpuCores > 0 ? t.Proxy.CpuMs / t.Proxy.CpuCores : t.DurationSeconds * 1000);
        var clients = trials.Sum(t => t.Clients);
        return new ProxyCostResult
        {
            Configuration = trials[0].Proxy!.Configuration,
            CpuMs = cpuMs,
            CpuMsPer1000Events = events > 0 ? cpuMs * 1000.0 / events : null,
            CpuCores = wallMs > 0 ? cpuMs / wallMs : 0,
            ResidentBytesBefore = trials.Min(t => t.Proxy!.ResidentBytesBefore),
            ResidentBytesPeak = trials.Max(t => t.Proxy!.ResidentBytesPeak),
            KibPerConnection = trials.All(t => t.Proxy!.KibPerConnection is not null) && clients > 0
                ? trials.Sum(t => t.Proxy!.KibPerConnection!.Value * t.Clients) / clients
                : null,
            // One configuration, so one upstream version (trials of one setup only are pooled).
            UpstreamHttp = trials[0].Proxy!.UpstreamHttp,
        };
    }

    /// <summary>The trials' seconds one after another: <c>t</c> counts on from the previous trials' measured time.</summary>
    private static List<TimeSeriesPoint> EndToEnd(IReadOnlyList<ScenarioResult> trials)
    {
        var points = new List<TimeSeriesPoint>();
        var offset = 0.0;
        foreach (var trial in trials)
        {
            points.AddRange(trial.TimeSeries.Select(p => p with { T = p.T + offset }));
            offset += trial.DurationSeconds;
        }

        return points;
    }
}
