using LoadBench.Contracts;
using LoadBench.Engine.Running;

namespace LoadBench.Engine.Proxy;

/// <summary>
/// The target as a scenario run <c>via</c> a proxy sees it: the clients connect to the proxy (<see cref="BaseUri"/>),
/// while settings, info, faults and <c>/stats</c> still go to the target directly (nginx would refuse the control
/// routes, and the target's own counters are the proxy ↔ target leg). With an nginx the engine started, its CPU and
/// memory (master and workers) are added to the target's <c>/stats</c> process figures: the server cost of a
/// proxied feed is what both spent. The executor also reads nginx alone, to show the parts apart.
/// </summary>
internal sealed class ViaTargetApi(ITargetApi target, Uri proxy, NginxProxy? nginx) : ITargetApi
{
    private readonly ITargetApi _target = target ?? throw new ArgumentNullException(nameof(target));

    public Uri BaseUri { get; } = proxy ?? throw new ArgumentNullException(nameof(proxy));

    public Task<FeedInfo> GetInfoAsync(CancellationToken cancellationToken) => _target.GetInfoAsync(cancellationToken);

    public Task<FeedInfo> PutSettingsAsync(FeedSettings settings, CancellationToken cancellationToken) =>
        _target.PutSettingsAsync(settings, cancellationToken);

    public async Task<StatsSnapshot> GetStatsAsync(CancellationToken cancellationToken) =>
        WithProxy(await _target.GetStatsAsync(cancellationToken));

    public async Task<StatsSnapshot> GetStatsAfterFullCollectionAsync(CancellationToken cancellationToken) =>
        WithProxy(await _target.GetStatsAfterFullCollectionAsync(cancellationToken));

    public Task<FaultRecord> PostFaultAsync(FaultRequest fault, CancellationToken cancellationToken) =>
        _target.PostFaultAsync(fault, cancellationToken);

    public Task<IReadOnlyList<FaultRecord>> GetFaultsAsync(CancellationToken cancellationToken) =>
        _target.GetFaultsAsync(cancellationToken);

    private StatsSnapshot WithProxy(StatsSnapshot stats)
    {
        if (nginx is null)
        {
            // A proxy someone else runs: its processes are not ours to read.
            return stats;
        }

        var (cpuMs, resident) = nginx.ReadCost();
        return stats with
        {
            Process = stats.Process with
            {
                CpuTimeMs = stats.Process.CpuTimeMs + cpuMs,
                WorkingSetBytes = stats.Process.WorkingSetBytes + resident,
            },
        };
    }
}
