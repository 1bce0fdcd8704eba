using System.Globalization;
using System.Net.Http.Json;
using LoadBench.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LoadBench.Demo.Tests.TestSupport;

/// <summary>
/// The real target, in-process on Kestrel on a free loopback port, publishing on its own at a given rate: the
/// demo page is watched live, the way a class sees it, so nothing is published by hand.
/// </summary>
public sealed class DemoTarget : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoTarget(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public Uri DemoUri => new(BaseAddress, "/demo");

    /// <summary>For control routes only (info, settings, stats: counted as "other" by the target).</summary>
    public HttpClient Http { get; }

    public static async Task<DemoTarget> StartAsync(double ratePerSecond, CancellationToken cancellationToken)
    {
        var app = LoadBench.Target.TargetApp.Build(
            ["--urls", "http://127.0.0.1:0", "--rate", ratePerSecond.ToString(CultureInfo.InvariantCulture)]);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DemoTarget(app, new Uri(address));
    }

    public async Task<FeedInfo> InfoAsync(CancellationToken cancellationToken) =>
        (await Http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo, cancellationToken))!;

    public async Task<StatsSnapshot> StatsAsync(CancellationToken cancellationToken) =>
        (await Http.GetFromJsonAsync(FeedRoutes.Stats, ContractsJson.Default.StatsSnapshot, cancellationToken))!;

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
    }
}
