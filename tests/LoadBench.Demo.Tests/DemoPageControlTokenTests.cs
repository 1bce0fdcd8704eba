using System.Collections.Concurrent;
using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Demo.Tests.TestSupport;
using LoadBench.Target;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LoadBench.Demo.Tests;

/// <summary>
/// The page against a target that guards its control routes: a 401 makes the page ask for the token, and from
/// then on every control call carries <c>Authorization: Bearer TOKEN</c>. The guard here is a stand-in with the
/// contract's shape (401 problem+json without the token; <see cref="ControlToken"/>), so this test is about
/// the page, whatever the target's own check looks like.
/// </summary>
public sealed class DemoPageControlTokenTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private const string Token = "s3cret-token";

    private static readonly string[] ControlPaths = [FeedRoutes.Settings, FeedRoutes.DropConnections, FeedRoutes.Faults];

    private readonly ConcurrentQueue<string> _controlCalls = new();
    private readonly List<string> _browserErrors = [];

    [Fact]
    public async Task DemoPage_ControlRefused401_AsksForTheToken_ThenSendsItAsBearer()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var app = TargetApp.Build(["--urls", "http://127.0.0.1:0", "--rate", "20"], mapExtraRoutes: Guard);
        await app.StartAsync(timeout.Token);
        var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var http = new HttpClient { BaseAddress = baseAddress };
        await using var demo = await DemoPage.OpenAsync(chromium.Browser, new Uri(baseAddress, "/demo"), 1600, 1000, _browserErrors);
        Assert.True(await demo.Page.IsHiddenAsync("#token-form"));

        await demo.Page.ClickAsync("#fault-restart");

        await demo.WaitUntilAsync(s => s.Status.Contains("control token", StringComparison.Ordinal), "the page says it needs the control token");
        Assert.True(await demo.Page.IsVisibleAsync("#token-form"));
        Assert.Equal("control-token", await demo.Page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''"));
        Assert.Empty(await FaultsAsync(http, timeout.Token));

        // Typed and sent with Enter: the refused restart is tried again, with the token.
        await demo.Page.FillAsync("#control-token", Token);
        await demo.Page.PressAsync("#control-token", "Enter");
        await WaitForFaultsAsync(http, 1, timeout.Token);

        // From then on every control call carries it, at once.
        await demo.Page.ClickAsync("#fault-stall");
        await WaitForFaultsAsync(http, 2, timeout.Token);
        Assert.Equal([FaultKinds.Restart, FaultKinds.Stall], (await FaultsAsync(http, timeout.Token)).Select(f => f.Kind));
        Assert.Equal(["none", $"{ControlToken.Scheme} {Token}", $"{ControlToken.Scheme} {Token}"], _controlCalls);
        Assert.All(_browserErrors, e => Assert.Contains("status of 401 (Unauthorized)", e, StringComparison.Ordinal));
    }

    /// <summary>The stand-in guard: control routes need the token; every call's Authorization is remembered.</summary>
    private void Guard(WebApplication app) => app.Use(async (context, next) =>
    {
        if (HttpMethods.IsGet(context.Request.Method) || !ControlPaths.Contains(context.Request.Path.Value))
        {
            await next(context);
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        _controlCalls.Enqueue(authorization.Length == 0 ? "none" : authorization);
        if (authorization != $"{ControlToken.Scheme} {Token}")
        {
            await TypedResults.Problem(title: "Control token required", detail: "Send Authorization: Bearer TOKEN.", statusCode: 401).ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    private static async Task<FaultRecord[]> FaultsAsync(HttpClient http, CancellationToken cancellationToken) =>
        (await http.GetFromJsonAsync(FeedRoutes.Faults, ContractsJson.Default.FaultRecordArray, cancellationToken))!;

    private static async Task WaitForFaultsAsync(HttpClient http, int count, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if ((await FaultsAsync(http, cancellationToken)).Length >= count)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        Assert.Fail($"The page's control call did not reach the target: fewer than {count} faults after 15 s.");
    }
}
