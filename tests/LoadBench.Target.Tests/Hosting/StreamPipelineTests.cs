using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using LoadBench.Contracts;
using LoadBench.Target.Heartbeats;
using LoadBench.Target.Hosting;
using LoadBench.Target.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LoadBench.Target.Tests.Hosting;

/// <summary>
/// Feed streams take a shorter middleware pipeline (README "Tuning", memory per connection): no exception handler and
/// no status-code pages, whose async state each stream would keep for its whole life — while every answer a client
/// can see stays what it was (bad input's problem+json is the Hostile catalogue's; a failure before the stream starts
/// is here).
/// </summary>
public sealed class StreamPipelineTests
{
    [Theory]
    [InlineData("GET", FeedRoutes.Sse, true)]
    [InlineData("GET", FeedRoutes.WebSocket, true)]
    [InlineData("CONNECT", FeedRoutes.WebSocket, true)]
    [InlineData("POST", FeedRoutes.Sse, false)]
    [InlineData("CONNECT", FeedRoutes.Sse, false)]
    [InlineData("GET", FeedRoutes.LongPoll, false)]
    [InlineData("GET", FeedRoutes.Poll, false)]
    [InlineData("GET", "/feed/sse/", false)]
    [InlineData("GET", "/FEED/SSE", false)]
    [InlineData("GET", "/feed/sse2", false)]
    public void IsStream_OnlyTheStreamRoutesExactPathAndMethod(string method, string path, bool stream)
    {
        var context = new DefaultHttpContext { Request = { Method = method, Path = path } };
        Assert.Equal(stream, FeedStreamRequests.IsStream(context));
    }

    [Fact]
    public async Task RunningStreams_HoldNoStatusCodePages_WhileOtherRequestsKeepThem()
    {
        var seen = new Probe();
        await using var app = TargetApp.Build(["--urls", "http://127.0.0.1:0", "--rate", "0"],
            configureServices: services => services.AddSingleton<IStartupFilter>(seen));
        await app.StartAsync();
        var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        using var sse = await RawHttpConnection.OpenAsync(baseAddress);
        await sse.SendGetAsync(FeedRoutes.Sse + "?after=0");
        Assert.StartsWith("HTTP/1.1 200", await sse.ReadHeadAsync(), StringComparison.Ordinal);
        using var ws = await RawHttpConnection.OpenAsync(baseAddress);
        await ws.SendGetAsync(FeedRoutes.WebSocket + "?after=0", "Connection: Upgrade", "Upgrade: websocket",
            "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        Assert.StartsWith("HTTP/1.1 101", await ws.ReadHeadAsync(), StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = baseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(FeedRoutes.Poll + "?after=0")).StatusCode);
        // A route that does not exist still gets the status-code pages' problem+json.
        var missing = await http.GetAsync("/feed/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        // Recorded when the pipeline handed back the request's task (maybe just after the client had its answer).
        await Wait.UntilAsync(() => seen.Requests.Count >= 4, "the probe saw the four requests");
        Assert.Equal((Running: true, StatusCodePages: false), seen.Requests[FeedRoutes.Sse]);
        Assert.Equal((Running: true, StatusCodePages: false), seen.Requests[FeedRoutes.WebSocket]);
        Assert.True(seen.Requests[FeedRoutes.Poll].StatusCodePages);
        await app.StopAsync();
    }

    [Fact]
    public async Task StreamFailingBeforeItStarts_Answers500ProblemJson()
    {
        // The SSE handler asks for HeartbeatTickers: its construction failing is a fault before the stream's response starts.
        await using var app = TargetApp.Build(["--urls", "http://127.0.0.1:0", "--rate", "0"],
            configureServices: services => services.AddSingleton<HeartbeatTickers>(_ => throw new InvalidOperationException("broken on purpose")));
        await app.StartAsync();
        var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var http = new HttpClient { BaseAddress = baseAddress };

        var response = await http.GetAsync(FeedRoutes.Sse + "?after=0");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain("broken on purpose", problem.ToString(), StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public void StreamFault_PassesARunningStreamThroughUntouched()
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var middleware = new StreamFaultMiddleware(_ => running.Task, ProblemService(), Microsoft.Extensions.Logging.Abstractions.NullLogger<StreamFaultMiddleware>.Instance);

        // The very task: no state machine of this middleware waits on it.
        Assert.Same(running.Task, middleware.InvokeAsync(new DefaultHttpContext()));
        running.SetResult();
    }

    [Fact]
    public async Task StreamFault_ThrownOrFaultedBeforeTheResponse_Is500ProblemJson()
    {
        foreach (RequestDelegate failing in new RequestDelegate[] { _ => throw new InvalidOperationException("x"), _ => Task.FromException(new InvalidOperationException("x")) })
        {
            var context = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
            context.Response.Body = new MemoryStream();
            var middleware = new StreamFaultMiddleware(failing, ProblemService(), Microsoft.Extensions.Logging.Abstractions.NullLogger<StreamFaultMiddleware>.Instance);

            await middleware.InvokeAsync(context);

            Assert.Equal(500, context.Response.StatusCode);
            Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
            Assert.IsType<InvalidOperationException>(context.Features.Get<IExceptionHandlerFeature>()?.Error);
            context.Response.Body.Position = 0;
            Assert.Equal(500, JsonDocument.Parse(context.Response.Body).RootElement.GetProperty("status").GetInt32());
        }
    }

    private static IProblemDetailsService ProblemService() =>
        new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider().GetRequiredService<IProblemDetailsService>();

    /// <summary>Outermost middleware: per path, whether the pipeline handed back a still-running task and whether the
    /// status-code pages had put their feature on the request by then.</summary>
    private sealed class Probe : IStartupFilter
    {
        public ConcurrentDictionary<string, (bool Running, bool StatusCodePages)> Requests { get; } = new();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(inner => context =>
            {
                var request = inner(context);
                Requests[context.Request.Path.Value!] = (!request.IsCompleted, context.Features.Get<IStatusCodePagesFeature>() is not null);
                return request;
            });
            next(app);
        };
    }
}
