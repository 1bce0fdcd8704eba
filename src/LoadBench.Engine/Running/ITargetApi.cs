using LoadBench.Contracts;

namespace LoadBench.Engine.Running;

/// <summary>The target's control routes the runner uses (not the feed itself, which the clients read).</summary>
public interface ITargetApi
{
    Uri BaseUri { get; }

    /// <summary><c>GET /feed/info</c>.</summary>
    Task<FeedInfo> GetInfoAsync(CancellationToken cancellationToken);

    /// <summary><c>PUT /feed/settings</c>; returns the feed's info after the change.</summary>
    Task<FeedInfo> PutSettingsAsync(FeedSettings settings, CancellationToken cancellationToken);

    /// <summary><c>GET /stats</c>.</summary>
    Task<StatsSnapshot> GetStatsAsync(CancellationToken cancellationToken);
}
