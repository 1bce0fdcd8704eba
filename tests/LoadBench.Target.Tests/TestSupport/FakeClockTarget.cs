using LoadBench.Target.Feed;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using LoadBench.Target.SlowConsumers;
using LoadBench.Target.Stats;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Target.Tests.TestSupport;

/// <summary>
/// The real target on Kestrel, paused, with a fake clock: the feed's lag in time and the slow-consumer sweep
/// move only when a test advances the clock (or calls <see cref="SlowConsumerSweep.Sweep"/>), so what a
/// slow-consumer test asserts never depends on how busy the machine is.
/// </summary>
internal sealed class FakeClockTarget : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeClockTarget(WebApplication app, FakeTimeProvider time, Uri baseAddress)
    {
        _app = app;
        Time = time;
        BaseAddress = baseAddress;
    }

    public FakeTimeProvider Time { get; }

    public Uri BaseAddress { get; }

    public FeedLog Log => _app.Services.GetRequiredService<FeedLog>();

    public IServiceProvider Services => _app.Services;

    public FeedStats Stats => _app.Services.GetRequiredService<FeedStats>();

    public SlowConsumerSweep Sweep => _app.Services.GetRequiredService<SlowConsumerSweep>();

    public static async Task<FakeClockTarget> StartAsync(params string[] extraArgs)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        var app = TargetApp.Build(["--urls", "http://127.0.0.1:0", "--rate", "0", .. extraArgs],
            configureServices: services => services.AddSingleton<TimeProvider>(time));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeClockTarget(app, time, new Uri(address));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
