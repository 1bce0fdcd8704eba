using LoadBench.Contracts;
using LoadBench.Target.Demo;
using LoadBench.Target.Faults;
using LoadBench.Target.Feed;
using LoadBench.Target.Hosting;
using LoadBench.Target.LongPolling;
using LoadBench.Target.Polling;
using LoadBench.Target.Sse;
using LoadBench.Target.Stats;
using LoadBench.Target.WebSockets;

namespace LoadBench.Target;

/// <summary>
/// Builds the target: the feed, its publisher, the four transports, the control routes and the byte-counting
/// connection middleware. Used by <c>Program</c>, by <c>loadbench serve</c>/<c>demo</c> and by tests (which
/// pass <c>--urls http://127.0.0.1:0</c> and <c>--rate 0</c> and publish by hand).
/// </summary>
public static class TargetApp
{
    /// <param name="args">Command line: <c>--urls</c>, <c>--rate</c>, <c>--payload-bytes</c>, <c>--retention</c>,
    /// <c>--delivery-delay-ms</c>, <c>--max-connections</c>.</param>
    /// <param name="configure">Changes the options after the command line was read (tests).</param>
    /// <param name="configureServices">Adds or replaces services, e.g. a fake <see cref="TimeProvider"/> (tests).</param>
    /// <param name="mapExtraRoutes">Maps more routes on the same app (the demo page).</param>
    /// <exception cref="TargetConfigurationException">An option is out of range or not a number.</exception>
    public static WebApplication Build(
        string[] args,
        Action<TargetOptions>? configure = null,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? mapExtraRoutes = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateSlimBuilder(args);
        var options = TargetOptionsReader.Read(builder.Configuration);
        configure?.Invoke(options);

        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(TargetOptions.DefaultUrl);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJson.Default));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FeedLog>();
        builder.Services.AddSingleton<FeedStats>();
        builder.Services.AddSingleton<FeedConnections>();
        builder.Services.AddSingleton<FeedFaults>();
        builder.Services.AddSingleton(new ConnectionLimit(options.MaxConnections ?? ConnectionLimit.DefaultMax()));
        builder.Services.AddSingleton<ConnectionMiddleware>();
        builder.Services.AddHostedService<FeedPublisher>();
        configureServices?.Invoke(builder.Services);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The Server header is dropped as production deployments do; Date stays (HTTP requires it).
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                var connections = listen.ApplicationServices.GetRequiredService<ConnectionMiddleware>();
                listen.Use(next => connection => connections.OnConnectionAsync(connection, next));
            });
        });

        var app = builder.Build();
        app.UseMiddleware<TransportAttributionMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWebSockets();
        app.MapPolling();
        app.MapLongPolling();
        app.MapSse();
        app.MapWebSockets();
        app.MapFeedControl();
        app.MapStats();
        app.MapDemo();
        mapExtraRoutes?.Invoke(app);
        return app;
    }
}
