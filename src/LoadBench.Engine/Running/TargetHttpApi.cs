using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using LoadBench.Contracts;

namespace LoadBench.Engine.Running;

/// <summary><see cref="ITargetApi"/> over HTTP. One small connection pool of its own, apart from the clients'
/// sockets, so control requests are not counted as load. With a control token every call carries it (the open
/// routes ignore it), so a control call added later cannot forget it.</summary>
internal sealed class TargetHttpApi : ITargetApi, IDisposable
{
    private readonly HttpClient _http;

    public TargetHttpApi(Uri baseUri, string? controlToken = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        BaseUri = baseUri;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 })
        {
            BaseAddress = baseUri,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        };
        if (controlToken is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(ControlToken.Scheme, controlToken);
        }
    }

    public Uri BaseUri { get; }

    public Task<FeedInfo> GetInfoAsync(CancellationToken cancellationToken) =>
        GetAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo, cancellationToken);

    public async Task<FeedInfo> PutSettingsAsync(FeedSettings settings, CancellationToken cancellationToken)
    {
        using var response = await _http.PutAsJsonAsync(FeedRoutes.Settings, settings, ContractsJson.Default.FeedSettings, cancellationToken);
        await EnsureSuccessAsync(response, $"PUT {FeedRoutes.Settings}", cancellationToken);
        return await response.Content.ReadFromJsonAsync(ContractsJson.Default.FeedInfo, cancellationToken)
            ?? throw new InvalidOperationException($"PUT {FeedRoutes.Settings} answered null");
    }

    public Task<StatsSnapshot> GetStatsAsync(CancellationToken cancellationToken) =>
        GetAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot, cancellationToken);

    public Task<StatsSnapshot> GetStatsAfterFullCollectionAsync(CancellationToken cancellationToken) =>
        GetAsync(FeedRoutes.Stats + "?gc=true", ContractsJson.Default.StatsSnapshot, cancellationToken);

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        await EnsureSuccessAsync(response, $"GET {path}", cancellationToken);
        return await response.Content.ReadFromJsonAsync(typeInfo, cancellationToken)
            ?? throw new InvalidOperationException($"GET {path} answered null");
    }

    /// <summary>A failed control call is an <see cref="HttpRequestException"/> (the CLI reports a failed run, exit 3)
    /// with the target's own explanation, and the likely fix for a 401.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string call, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var hint = response.StatusCode == System.Net.HttpStatusCode.Unauthorized
            ? " (the target has a control token: pass the same --control-token)"
            : "";
        throw new HttpRequestException($"{call} answered {(int)response.StatusCode}{hint}: {body}", null, response.StatusCode);
    }

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
