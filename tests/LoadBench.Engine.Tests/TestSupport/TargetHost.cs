using LoadBench.Target;
using LoadBench.Target.Feed;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LoadBench.Engine.Tests.TestSupport;

/// <summary>The real target on Kestrel, in-process on a free loopback port, paused (rate 0): tests publish by hand.</summary>
public sealed class TargetHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TargetHost(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
        Http = new HttpClient { BaseAddress = baseUri };
    }

    public Uri BaseUri { get; }

    /// <summary>For control routes (drop-connections, info).</summary>
    public HttpClient Http { get; }

    public FeedLog Log => _app.Services.GetRequiredService<FeedLog>();

    public static async Task<TargetHost> StartAsync(params string[] extraArgs)
    {
        var app = TargetApp.Build(["--urls", "http://127.0.0.1:0", "--rate", "0", .. extraArgs]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TargetHost(app, new Uri(address));
    }

    /// <summary>Publishes <paramref name="count"/> events; returns the UTF-8 length of each one's JSON.</summary>
    public List<int> Publish(int count)
    {
        var lengths = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            lengths.Add(Log.Publish().Json.Length);
        }

        return lengths;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.DisposeAsync();
    }
}
