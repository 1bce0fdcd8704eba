using LoadBench.Target;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LoadBench.Cli.Tests.Gate;

/// <summary>
/// The real target on Kestrel in the test process, on a free loopback port, for <c>loadbench gate --target</c>.
/// The baseline, the unchanged run and the slowed run all use a target started this same way, so the only
/// difference between them is the one under test: the target's own <c>--delivery-delay-ms</c>.
/// </summary>
internal sealed class GateTarget : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GateTarget(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<GateTarget> StartAsync(int deliveryDelayMs)
    {
        var app = TargetApp.Build(["--urls", "http://127.0.0.1:0", "--rate", "0", "--delivery-delay-ms", deliveryDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GateTarget(app, address);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
