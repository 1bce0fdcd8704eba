using LoadBench.Contracts;

namespace LoadBench.Engine.Running;

/// <summary>The target's control routes the runner uses (not the feed itself, which the clients read).</summary>
internal interface ITargetApi
{
    Uri BaseUri { get; }

    /// <summary><c>GET /feed/info</c>.</summary>
    Task<FeedInfo> GetInfoAsync(CancellationToken cancellationToken);

    /// <summary><c>PUT /feed/settings</c>; returns the feed's info after the change.</summary>
    Task<FeedInfo> PutSettingsAsync(FeedSettings settings, CancellationToken cancellationToken);

    /// <summary><c>GET /stats</c>.</summary>
    Task<StatsSnapshot> GetStatsAsync(CancellationToken cancellationToken);

    /// <summary><c>GET /stats?gc=true</c>: the target runs a full, compacting collection first, so its
    /// <c>managedHeapBytes</c> is what it really retains. Never called inside a measured window (it pauses the target).</summary>
    Task<StatsSnapshot> GetStatsAfterFullCollectionAsync(CancellationToken cancellationToken);

    /// <summary><c>POST /feed/faults</c>: the target injects the fault now; returns its record (id, times).</summary>
    Task<FaultRecord> PostFaultAsync(FaultRequest fault, CancellationToken cancellationToken);

    /// <summary><c>GET /feed/faults</c>: every fault the target injected so far.</summary>
    Task<IReadOnlyList<FaultRecord>> GetFaultsAsync(CancellationToken cancellationToken);
}
