using LoadBench.Contracts;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using LoadBench.Target.Clock;
using LoadBench.Target.Demo;
using LoadBench.Target.Faults;
using LoadBench.Target.Feed;
using LoadBench.Target.Heartbeats;
using LoadBench.Target.Hosting;
using LoadBench.Target.LongPolling;
using LoadBench.Target.Polling;
using LoadBench.Target.SlowConsumers;
using LoadBench.Target.Replication;
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
    /// <c>--delivery-delay-ms</c>, <c>--max-connections</c>, <c>--control-token</c>, <c>--slow-consumer-max-lag-events</c>, <c>--slow-consumer-max-lag-seconds</c>, <c>--publish-to</c>, <c>--follow</c>.</param>
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

        var urls = builder.Configuration["urls"];
        if (string.IsNullOrEmpty(urls))
        {
            urls = TargetOptions.DefaultUrl;
            builder.WebHost.UseUrls(urls);
        }

        ListenAddresses.RequireLoopbackOrToken(urls, options.ControlToken);
        foreach (var extra in new[] { options.H2cUrl, options.HttpsUrl })
        {
            if (extra is not null)
            {
                ListenAddresses.RequireLoopbackOrToken(extra, options.ControlToken);
            }
        }

        var endpoints = new ProtocolEndpoints(options, urls, TimeProvider.System);
        if (endpoints.BindsHere)
        {
            // Bound in code below (one endpoint per protocol); without this Kestrel warns that it overrides --urls.
            builder.WebHost.UseUrls();
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        MemoryTuning.Apply(builder);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJson.Default));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FeedLog>();
        builder.Services.AddSingleton<FeedStats>();
        builder.Services.AddSingleton<Compression.CompressedBatches>();
        builder.Services.AddSingleton<FeedConnections>();
        builder.Services.AddSingleton<FeedSockets>();
        builder.Services.AddSingleton<FeedFaults>();
        builder.Services.AddSingleton<HeartbeatTickers>();
        builder.Services.AddSingleton(new ConnectionLimit(options.MaxConnections ?? ConnectionLimit.DefaultMax()));
        builder.Services.AddSingleton<ConnectionMiddleware>();
        AddFeedSource(builder.Services, options);
        builder.Services.AddSingleton<SlowConsumerSweep>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SlowConsumerSweep>());
        configureServices?.Invoke(builder.Services);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The Server header is dropped as production deployments do; Date stays (HTTP requires it).
            kestrel.AddServerHeader = false;
            options.Limits.ApplyTo(kestrel.Limits);
            kestrel.ConfigureEndpointDefaults(listen =>
            {
                ListenAddresses.RequireLoopbackOrToken(listen.IPEndPoint, options.ControlToken);
                var connections = listen.ApplicationServices.GetRequiredService<ConnectionMiddleware>();
                // Asked per connection: the endpoint's own configuration (HTTP/2 only, HTTPS) runs after the defaults.
                listen.Use(next => connection => connections.OnConnectionAsync(connection, next, endpoints.ScansHeads(listen)));
            });
            if (endpoints.BindsHere)
            {
                endpoints.Bind(kestrel);
            }
        });

        var app = builder.Build();
        // Streams end their follow at shutdown through one walk, not one registration each (FeedConnections.StreamSource).
        app.Lifetime.ApplicationStopping.Register(app.Services.GetRequiredService<FeedConnections>().StopStreams);
        app.UseMiddleware<TransportAttributionMiddleware>();
        // A feed stream leaves out the exception handler and the status-code pages: once it runs its response has
        // started and neither can do anything for it, yet each would keep its async state for the subscriber's whole
        // life. A stream that fails before it starts still gets the handler's 500 problem+json (StreamFaultMiddleware).
        app.UseWhen(FeedStreamRequests.IsStream, stream => stream.UseMiddleware<StreamFaultMiddleware>());
        app.UseWhen(context => !FeedStreamRequests.IsStream(context), other =>
        {
            other.UseExceptionHandler();
            other.UseStatusCodePages();
        });
        app.UseMiddleware<ClientErrorMiddleware>();
        app.UseMiddleware<CompressedFrameCountingMiddleware>(); // before UseWebSockets, which takes the upgrade features
        app.UseMiddleware<FeedSocketStreamMiddleware>(); // the same; its stream is the one the socket writes to
        app.UseWebSockets(KeepAlive.MiddlewareOptions);
        // Routing first, so the token check also sees which route matched.
        app.UseRouting();
        app.UseMiddleware<ControlTokenMiddleware>();
        app.MapPolling();
        app.MapLongPolling();
        app.MapSse();
        app.MapWebSockets();
        app.MapFeedControl();
        app.MapGet(FeedRoutes.Endpoints, (IServer server) => TypedResults.Json(
            endpoints.Describe(server.Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).FirstOrDefault()),
            ContractsJson.Default.TargetEndpoints));
        if (endpoints.BindsHere)
        {
            // Printed once bound (real ports): the fingerprint is what `loadbench run --target … --tls-fingerprint` takes.
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                var described = endpoints.Describe(null);
                Console.Out.WriteLine($"LoadBench target: HTTP/1.1 {described.Http1}  h2c {described.H2c ?? "-"}  HTTPS {described.Https ?? "-"}");
                if (described.CertificateSha256 is not null)
                {
                    Console.Out.WriteLine($"LoadBench target: TLS certificate SHA-256 {described.CertificateSha256}");
                }
            });
        }

        app.MapStats();
        app.MapClock();
        app.MapDemo();
        mapExtraRoutes?.Invoke(app);
        return app;
    }

    /// <summary>
    /// Where events come from: the target's own publisher (also sent to a NATS stream under <c>--publish-to</c>,
    /// whose sender is registered first so it is hooked up before the first publish), or, for a replica
    /// (<c>--follow</c>), the publisher's stream and nothing else. Hosted services start before the server listens.
    /// </summary>
    private static void AddFeedSource(IServiceCollection services, TargetOptions options)
    {
        if (options.FollowUrl is not null)
        {
            services.AddHostedService<FeedStreamFollower>();
            return;
        }

        if (options.PublishToUrl is not null)
        {
            services.AddHostedService<FeedStreamPublisher>();
        }

        services.AddHostedService<FeedPublisher>();
    }
}
