using LoadBench.Contracts;
using LoadBench.Target.Feed;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace LoadBench.Target.Tests.TestSupport;

/// <summary>The real target on Kestrel, on a free loopback port, paused (rate 0) so tests publish by hand.</summary>
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

    /// <summary>A client for control routes (info, settings, stats); its bytes are counted as "other".</summary>
    public HttpClient Http { get; }

    public FeedLog Log => _app.Services.GetRequiredService<FeedLog>();

    /// <summary>The target's own counters, read in-process (also after it stopped serving).</summary>
    public LoadBench.Target.Stats.FeedStats Stats => _app.Services.GetRequiredService<LoadBench.Target.Stats.FeedStats>();

    public static async Task<RunningTarget> StartAsync(params string[] extraArgs)
    {
        var app = TargetApp.Build(["--urls", "http://127.0.0.1:0", "--rate", "0", .. extraArgs]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningTarget(app, new Uri(address));
    }

    public Uri WebSocketUri(string query) => new($"ws://{BaseAddress.Authority}{FeedRoutes.WebSocket}{query}");

    /// <summary>Publishes <paramref name="count"/> events and returns their JSON exactly as stored.</summary>
    public List<string> Publish(int count)
    {
        var published = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            published.Add(System.Text.Encoding.UTF8.GetString(Log.Publish().Json.Span));
        }

        return published;
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
    }
}
