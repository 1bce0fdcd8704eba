using HdrHistogram;

namespace LoadBench.Results;

/// <summary>
/// Merges the results of engine processes that ran the same scenario file at the same time (load spread over
/// several processes) into one document, exactly: histograms are added bucket by bucket and percentiles are
/// recomputed from the sum; counters are added; rates and per-event figures are recomputed from the summed
/// counts. Nothing is averaged. The rules per field are in docs/results-schema.md ("Merging").
/// </summary>
public static class ResultsMerger
{
    public static ResultsDocument Merge(ResultsDocument a, ResultsDocument b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);

        if (a.Environment.ScenarioHash != b.Environment.ScenarioHash)
        {
            throw new ResultsFormatException(
                $"cannot merge: the documents ran different scenario files (scenarioHash {Short(a.Environment.ScenarioHash)} vs {Short(b.Environment.ScenarioHash)})");
        }

        if (a.Environment.TargetStartedByEngine != b.Environment.TargetStartedByEngine)
        {
            throw new ResultsFormatException(
                "cannot merge: one document started its own target and the other used a running one, so their server figures do not add up to one thing");
        }

        // Each engine that started its own target measured a different target process (costs add up); engines
        // that shared a running target each measured that same process over the same window (costs do not add).
        var separateTargets = a.Environment.TargetStartedByEngine || a.Environment.TargetUrl != b.Environment.TargetUrl;

        var byName = b.Scenarios.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var merged = new List<ScenarioResult>();
        foreach (var left in a.Scenarios)
        {
            merged.Add(byName.Remove(left.Name, out var right) ? MergeWithTrials(left, right, separateTargets) : left);
        }

        merged.AddRange(b.Scenarios.Where(s => byName.ContainsKey(s.Name)));

        return new ResultsDocument
        {
            SchemaVersion = ResultsDocument.CurrentSchemaVersion,
            Environment = MergeEnvironment(a.Environment, b.Environment),
            Scenarios = merged,
        };
    }

    private static RunEnvironment MergeEnvironment(RunEnvironment a, RunEnvironment b) => a with
    {
        StartedAt = a.StartedAt <= b.StartedAt ? a.StartedAt : b.StartedAt,
        FinishedAt = a.FinishedAt >= b.FinishedAt ? a.FinishedAt : b.FinishedAt,
        GitCommit = a.GitCommit == b.GitCommit ? a.GitCommit : null,
        TargetUrl = a.TargetUrl == b.TargetUrl ? a.TargetUrl : $"{a.TargetUrl}, {b.TargetUrl}",
    };

    /// <summary>
    /// Repeated trials merge trial by trial (trial i of one process ran beside trial i of the other), and the
    /// merged trials are pooled again, so the headline figures stay the pool of the trials.
    /// </summary>
    private static ScenarioResult MergeWithTrials(ScenarioResult a, ScenarioResult b, bool separateTargets)
    {
        if (a.Trials is null && b.Trials is null)
        {
            return MergeScenario(a, b, separateTargets);
        }

        if (a.Trials?.Count != b.Trials?.Count)
        {
            throw new ResultsFormatException(
                $"cannot merge scenario '{a.Name}': the documents ran {a.Trials?.Count ?? 1} and {b.Trials?.Count ?? 1} trial(s)");
        }

        return TrialPooler.Pool([.. a.Trials!.Zip(b.Trials!, (x, y) => MergeScenario(x, y, separateTargets))]);
    }

    private static ScenarioResult MergeScenario(ScenarioResult a, ScenarioResult b, bool separateTargets)
    {
        if (a.Transport != b.Transport
            || !a.PublishRatePerSecond.Equals(b.PublishRatePerSecond)
            || a.PayloadBytes != b.PayloadBytes
            || a.PollIntervalMs != b.PollIntervalMs)
        {
            throw new ResultsFormatException(
                $"cannot merge scenario '{a.Name}': transport, publish rate, payload size or poll interval differ between the documents");
        }

        var events = a.Throughput.EventsDelivered + b.Throughput.EventsDelivered;
        var requests = a.Throughput.Requests + b.Throughput.Requests;
        var clients = a.Clients + b.Clients;

        return a with
        {
            LoadSimulation = a.LoadSimulation == b.LoadSimulation ? a.LoadSimulation : $"{a.LoadSimulation} + {b.LoadSimulation}",
            Clients = clients,
            WarmUpSeconds = Math.Max(a.WarmUpSeconds, b.WarmUpSeconds),
            DurationSeconds = Math.Max(a.DurationSeconds, b.DurationSeconds),
            Latency = new LatencyResult
            {
                Event = MergeSummary(a.Latency.Event, b.Latency.Event)!,
                Request = MergeSummary(a.Latency.Request, b.Latency.Request),
                Recovery = MergeSummary(a.Latency.Recovery, b.Latency.Recovery),
            },
            Throughput = new ThroughputResult
            {
                EventsDelivered = events,
                EventsDeliveredInWindow = a.Throughput.EventsDeliveredInWindow + b.Throughput.EventsDeliveredInWindow,
                // The processes ran side by side, so their rates add.
                EventsPerSecond = a.Throughput.EventsPerSecond + b.Throughput.EventsPerSecond,
                Requests = requests,
                RequestsPerSecond = a.Throughput.RequestsPerSecond + b.Throughput.RequestsPerSecond,
                EmptyResponseShare = a.Throughput.EmptyResponseShare is null && b.Throughput.EmptyResponseShare is null
                    ? null
                    : Ratio(EmptyResponses(a.Throughput) + EmptyResponses(b.Throughput), requests),
            },
            Bytes = ResultFigures.SumParts(ResultFigures.Bytes(
                a.Bytes.Payload + b.Bytes.Payload, a.Bytes.Framing + b.Bytes.Framing, a.Bytes.Headers + b.Bytes.Headers,
                (a.Bytes.Events ?? a.Throughput.EventsDelivered) + (b.Bytes.Events ?? b.Throughput.EventsDelivered)), [a.Bytes, b.Bytes]),
            ServerBytes = ResultFigures.SumBytes([a.ServerBytes, b.ServerBytes]),
                        Integrity = ResultFigures.SumIntegrity([a.Integrity, b.Integrity]),
            Errors = ResultFigures.SumErrors([a.Errors, b.Errors], requests),
            Server = MergeServer(a.Server, b.Server, separateTargets, events, clients),
            TimeSeries = MergeTimeSeries(a.Name, a.TimeSeries, b.TimeSeries),
        };
    }

    private static LatencySummary? MergeSummary(LatencySummary? a, LatencySummary? b)
    {
        if (a is null || b is null)
        {
            return a ?? b;
        }

        return LatencySummaries.Sum([a, b]);
    }

    private static long EmptyResponses(ThroughputResult t) => (long)Math.Round((t.EmptyResponseShare ?? 0) * t.Requests);

    private static ServerCostResult MergeServer(ServerCostResult a, ServerCostResult b, bool separateTargets, long events, int clients)
    {
        var cpuMs = separateTargets ? a.CpuMs + b.CpuMs : Math.Max(a.CpuMs, b.CpuMs);
        var cores = separateTargets ? a.CpuCores + b.CpuCores : Math.Max(a.CpuCores, b.CpuCores);
        var before = separateTargets ? a.WorkingSetBytesBefore + b.WorkingSetBytesBefore : Math.Min(a.WorkingSetBytesBefore, b.WorkingSetBytesBefore);
        var peak = separateTargets ? a.WorkingSetBytesPeak + b.WorkingSetBytesPeak : Math.Max(a.WorkingSetBytesPeak, b.WorkingSetBytesPeak);
        long? retainedBefore = a.RetainedHeapBytesBefore is { } ab && b.RetainedHeapBytesBefore is { } bb
            ? (separateTargets ? ab + bb : Math.Min(ab, bb)) : null;
        long? retainedWith = a.RetainedHeapBytesWithClients is { } aw && b.RetainedHeapBytesWithClients is { } bw
            ? (separateTargets ? aw + bw : Math.Max(aw, bw)) : null;
        return ResultFigures.ServerCost(cpuMs, cores, before, peak, events, clients, retainedBefore, retainedWith);
    }

    private static List<TimeSeriesPoint> MergeTimeSeries(string scenario, IReadOnlyList<TimeSeriesPoint> a, IReadOnlyList<TimeSeriesPoint> b)
    {
        var merged = new List<TimeSeriesPoint>();
        for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            if (i >= a.Count || i >= b.Count)
            {
                merged.Add(i < a.Count ? a[i] : b[i]);
                continue;
            }

            var (pa, pb) = (a[i], b[i]);
            if (pa.Histogram is null || pb.Histogram is null)
            {
                throw new ResultsFormatException(
                    $"cannot merge scenario '{scenario}': time series point {i} has no histogram, so its percentiles cannot be merged exactly");
            }

            var sum = HistogramCodec.NewHistogram();
            sum.Add(HistogramCodec.Decode(pa.Histogram));
            sum.Add(HistogramCodec.Decode(pb.Histogram));
            merged.Add(new TimeSeriesPoint
            {
                T = Math.Max(pa.T, pb.T),
                EventsPerSecond = pa.EventsPerSecond + pb.EventsPerSecond,
                P50Ms = LatencySummaries.PercentileMs(sum, 50),
                P99Ms = LatencySummaries.PercentileMs(sum, 99),
                Clients = pa.Clients + pb.Clients,
                Histogram = HistogramCodec.Encode(sum),
            });
        }

        return merged;
    }

    private static double Ratio(long part, long whole) => ResultFigures.Ratio(part, whole);

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
