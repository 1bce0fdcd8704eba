using LoadBench.Contracts;

namespace LoadBench.Engine.Running;

/// <summary>
/// A target behind a proxy, seen as one: the clients use <see cref="BaseUri"/> (the proxy's feed address), the
/// settings and info go to the control address (the publisher, never through the proxy), and <c>/stats</c> is the
/// sum of the control target's, every <c>--stats-url</c>'s (the replicas) and the CPU and memory of every process
/// named by PID (nginx and its workers). Summed, never averaged: the server cost of a scaled-out target is what all
/// of its processes spent, and the bytes per transport are what crossed the proxy ↔ target leg.
/// </summary>
internal sealed class ScaledOutTargetApi : ITargetApi, IDisposable
{
    private readonly TargetHttpApi _control;
    private readonly List<TargetHttpApi> _stats;
    private readonly IReadOnlyList<int> _pids;
    private readonly Dictionary<TargetHttpApi, StatsSnapshot> _last = [];

    public ScaledOutTargetApi(Uri feed, Uri control, IEnumerable<Uri> statsUrls, IReadOnlyList<int> pids, string? controlToken = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(statsUrls);
        BaseUri = feed;
        _control = new TargetHttpApi(control, controlToken);
        // The control target counts once, even when it is also named as a stats URL. One token for all of them:
        // a deployment that guards its replicas' /stats?gc=true guards them alike.
        _stats = [_control, .. statsUrls.Where(u => u != control).Distinct().Select(u => new TargetHttpApi(u, controlToken))];
        _pids = pids ?? [];
    }

    public Uri BaseUri { get; }

    public Task<FeedInfo> GetInfoAsync(CancellationToken cancellationToken) => _control.GetInfoAsync(cancellationToken);

    public Task<FeedInfo> PutSettingsAsync(FeedSettings settings, CancellationToken cancellationToken) =>
        _control.PutSettingsAsync(settings, cancellationToken);

    /// <summary>Faults go to the publisher: its own connections are aborted or stalled, and a pause or restart
    /// reaches the replicas through the stream (a replica refuses those two itself).</summary>
    public Task<FaultRecord> PostFaultAsync(FaultRequest fault, CancellationToken cancellationToken) =>
        _control.PostFaultAsync(fault, cancellationToken);

    public Task<IReadOnlyList<FaultRecord>> GetFaultsAsync(CancellationToken cancellationToken) =>
        _control.GetFaultsAsync(cancellationToken);

    public async Task<StatsSnapshot> GetStatsAsync(CancellationToken cancellationToken) =>
        Sum(await Task.WhenAll(_stats.Select(s => ReadAsync(s, s.GetStatsAsync, cancellationToken))));

    public async Task<StatsSnapshot> GetStatsAfterFullCollectionAsync(CancellationToken cancellationToken) =>
        Sum(await Task.WhenAll(_stats.Select(s => ReadAsync(s, s.GetStatsAfterFullCollectionAsync, cancellationToken))));

    /// <summary>
    /// One target's reading. A replica that stopped answering (killed mid-run: what the scale-out benchmark does on
    /// purpose) counts with its last reading and no open connection, so the run goes on with the others: what it
    /// sent after that reading is missing from the sum (at most one sample interval's worth). The publisher is the
    /// control address; without it there is no run, so its failure is the caller's.
    /// </summary>
    private async Task<StatsSnapshot> ReadAsync(
        TargetHttpApi target, Func<CancellationToken, Task<StatsSnapshot>> read, CancellationToken cancellationToken)
    {
        try
        {
            var snapshot = await read(cancellationToken);
            lock (_last)
            {
                _last[target] = snapshot;
            }

            return snapshot;
        }
        catch (Exception e) when (target != _control && !cancellationToken.IsCancellationRequested
            && e is HttpRequestException or TaskCanceledException)
        {
            StatsSnapshot? last;
            lock (_last)
            {
                last = _last.GetValueOrDefault(target);
            }

            if (last is null)
            {
                throw;
            }

            return last with
            {
                Transports = last.Transports.ToDictionary(t => t.Key, t => t.Value with { OpenConnections = 0 }, StringComparer.Ordinal),
            };
        }
    }

    public void Dispose()
    {
        foreach (var api in _stats)
        {
            api.Dispose();
        }
    }

    private StatsSnapshot Sum(IReadOnlyList<StatsSnapshot> snapshots)
    {
        var transports = snapshots.SelectMany(s => s.Transports).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => new TransportStats(
                g.Sum(t => t.Value.OpenConnections), g.Sum(t => t.Value.Requests), g.Sum(t => t.Value.EventsSent),
                g.Sum(t => t.Value.PayloadBytes), g.Sum(t => t.Value.HeaderBytes), g.Sum(t => t.Value.BytesRead),
                g.Sum(t => t.Value.BytesWritten))
            {
                EventBytes = g.Sum(t => t.Value.EventBytes),
                DecodedBodyBytes = g.Sum(t => t.Value.DecodedBodyBytes),
            },
            StringComparer.Ordinal);
        var processes = _pids.Select(ProcessCost.Read).ToList();
        var process = new ProcessStats(
            snapshots.Sum(s => s.Process.CpuTimeMs) + processes.Sum(p => p.CpuMs),
            snapshots.Sum(s => s.Process.WorkingSetBytes) + processes.Sum(p => p.ResidentBytes),
            snapshots.Sum(s => s.Process.ManagedHeapBytes),
            snapshots.Max(s => s.Process.ProcessorCount));
        return new StatsSnapshot(transports, process, snapshots.Sum(s => s.RejectedConnections));
    }
}
