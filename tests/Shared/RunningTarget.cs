using System.Net.Http.Json;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target;
using LoadBench.Target.Feed;
using LoadBench.Target.Stats;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LoadBench.Tests.Support;

/// <summary>
/// The real target on Kestrel, in the test process, on a free loopback port — never a mock of it. Paused
/// (rate 0) unless the arguments say otherwise, so tests publish by hand. One file, linked into every test
/// project that needs a target (see each csproj), so all of them start it the same way.
/// </summary>
public sealed class RunningTarget : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningTarget(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>A client for control routes (info, settings, stats, drop-connections); its bytes count as "other".</summary>
    public HttpClient Http { get; }

    public FeedLog Log => _app.Services.GetRequiredService<FeedLog>();

    /// <summary>One of the target's services, read in-process (e.g. its compressed-batch cache).</summary>
    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>The target's own counters, read in-process (also after it stopped serving).</summary>
    public FeedStats Stats => _app.Services.GetRequiredService<FeedStats>();

    /// <param name="extraArgs">Target options after the defaults (a later option wins: <c>"--rate", "20"</c>).</param>
    public static Task<RunningTarget> StartAsync(params string[] extraArgs) => StartAsync(extraArgs, CancellationToken.None);

    public static Task<RunningTarget> StartAsync(IReadOnlyList<string> extraArgs, CancellationToken cancellationToken) =>
        StartAsync(extraArgs, configure: null, cancellationToken);

    /// <param name="configure">Changes options the command line does not reach (e.g. shorter limits).</param>
    public static async Task<RunningTarget> StartAsync(IReadOnlyList<string> extraArgs, Action<TargetOptions>? configure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(extraArgs);
        var app = TargetApp.Build(["--urls", "http://127.0.0.1:0", "--rate", "0", .. extraArgs], configure);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningTarget(app, new Uri(address));
    }

    public Uri WebSocketUri(string query) => new($"ws://{BaseAddress.Authority}{FeedRoutes.WebSocket}{query}");

    /// <summary>Publishes <paramref name="count"/> events now and returns their JSON exactly as stored.</summary>
    public List<string> Publish(int count)
    {
        var published = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            published.Add(Encoding.UTF8.GetString(Log.Publish().Json.Span));
        }

        return published;
    }

    public async Task<FeedInfo> InfoAsync(CancellationToken cancellationToken = default) =>
        (await Http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo, cancellationToken))!;

    public async Task<StatsSnapshot> StatsAsync(CancellationToken cancellationToken = default) =>
        (await Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot, cancellationToken))!;

    /// <summary>Where each protocol is served and the HTTPS certificate's fingerprint (start the target with
    /// <see cref="ProtocolArgs"/> for the HTTP/2 and HTTPS endpoints).</summary>
    public async Task<TargetEndpoints> EndpointsAsync(CancellationToken cancellationToken = default) =>
        (await Http.GetFromJsonAsync(FeedRoutes.Endpoints, ContractsJson.Default.TargetEndpoints, cancellationToken))!;

    /// <summary>Arguments for a cleartext HTTP/2 and an HTTPS endpoint on free loopback ports.</summary>
    public static readonly string[] ProtocolArgs = ["--h2c-url", "http://127.0.0.1:0", "--https-url", "https://127.0.0.1:0"];

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
    }
}
