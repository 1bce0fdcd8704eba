using System.Net.Http.Json;
using LoadBench.Contracts;

namespace LoadBench.Engine.Running;

/// <summary><see cref="ITargetApi"/> over HTTP. One small connection pool of its own, apart from the clients'
/// sockets, so control requests are not counted as load.</summary>
internal sealed class TargetHttpApi : ITargetApi, IDisposable
{
    private readonly HttpClient _http;

    public TargetHttpApi(Uri baseUri, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        BaseUri = baseUri;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 })
        {
            BaseAddress = baseUri,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        };
    }

    public Uri BaseUri { get; }

    public async Task<FeedInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo, cancellationToken)
        ?? throw new InvalidOperationException($"{FeedRoutes.Info} answered null");

    public async Task<FeedInfo> PutSettingsAsync(FeedSettings settings, CancellationToken cancellationToken)
    {
        using var response = await _http.PutAsJsonAsync(FeedRoutes.Settings, settings, ContractsJson.Default.FeedSettings, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"PUT {FeedRoutes.Settings} answered {(int)response.StatusCode}: {body}");
        }

        return await response.Content.ReadFromJsonAsync(ContractsJson.Default.FeedInfo, cancellationToken)
            ?? throw new InvalidOperationException($"PUT {FeedRoutes.Settings} answered null");
    }

    public async Task<StatsSnapshot> GetStatsAsync(CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot, cancellationToken)
        ?? throw new InvalidOperationException($"{FeedRoutes.Stats} answered null");

    public async Task<StatsSnapshot> GetStatsAfterFullCollectionAsync(CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync(FeedRoutes.Stats + "?gc=true", ContractsJson.Default.StatsSnapshot, cancellationToken)
        ?? throw new InvalidOperationException($"{FeedRoutes.Stats} answered null");

    public async Task<FaultRecord> PostFaultAsync(FaultRequest fault, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(FeedRoutes.Faults, fault, ContractsJson.Default.FaultRequest, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"POST {FeedRoutes.Faults} answered {(int)response.StatusCode}: {body}");
        }

        return await response.Content.ReadFromJsonAsync(ContractsJson.Default.FaultRecord, cancellationToken)
            ?? throw new InvalidOperationException($"POST {FeedRoutes.Faults} answered null");
    }

    public async Task<IReadOnlyList<FaultRecord>> GetFaultsAsync(CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync(FeedRoutes.Faults, ContractsJson.Default.FaultRecordArray, cancellationToken)
        ?? throw new InvalidOperationException($"{FeedRoutes.Faults} answered null");

    public void Dispose() => _http.Dispose();
}
