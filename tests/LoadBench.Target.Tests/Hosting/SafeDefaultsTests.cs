using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Target.Hosting;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Hosting;

/// <summary>The control token and the loopback rule (README, "Safe defaults"); refusals are in the hostile catalogue.</summary>
public sealed class SafeDefaultsTests
{
    private const string Token = "safe-defaults-0123456789";

    private static HttpRequestMessage WithToken(HttpMethod method, string path, string token = Token)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue(ControlToken.Scheme, token);
        return request;
    }

    [Fact]
    public async Task ControlRoutes_WithTheToken_DoWhatTheySay()
    {
        await using var target = await RunningTarget.StartAsync("--control-token", Token);

        using var settings = WithToken(HttpMethod.Put, FeedRoutes.Settings);
        settings.Content = JsonContent.Create(new FeedSettings(RatePerSecond: 0, PayloadBytes: 32), ContractsJson.Default.FeedSettings);
        using (var response = await target.Http.SendAsync(settings))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(32, target.Log.Info().PayloadBytes);
        using var drop = WithToken(HttpMethod.Post, FeedRoutes.DropConnections);
        using (var response = await target.Http.SendAsync(drop))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var gc = WithToken(HttpMethod.Get, FeedRoutes.Stats + "?gc=true");
        using (var response = await target.Http.SendAsync(gc))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task OpenRoutes_NeedNoToken_EvenWhenTheTargetHasOne()
    {
        await using var target = await RunningTarget.StartAsync("--control-token", Token);
        target.Publish(2);

        foreach (var path in new[] { FeedRoutes.Info, FeedRoutes.Stats, FeedRoutes.Stats + "?gc=false", FeedRoutes.Poll + "?after=0", FeedRoutes.LongPoll + "?after=0" })
        {
            using var response = await target.Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task ControlRoutes_WithoutATokenConfigured_StayOpen()
    {
        await using var target = await RunningTarget.StartAsync();

        using var response = await target.Http.PostAsync(FeedRoutes.DropConnections, content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://[::]:0")]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080")]
    [InlineData("http://192.168.1.5:5080")]
    [InlineData("http://example.com:5080")]
    [InlineData("http://127.0.0.1:0;http://0.0.0.0:0")]
    public void Build_BeyondLoopbackWithoutToken_Refuses_NamingTheFix(string urls)
    {
        var refusal = Assert.Throws<TargetConfigurationException>(() => TargetApp.Build(["--urls", urls]));

        Assert.Contains("--control-token", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EndpointFromKestrelConfigBeyondLoopback_WithoutToken_Refused_BeforeBinding()
    {
        // Not through --urls: the check on each endpoint Kestrel binds catches it, before the socket is opened.
        await using var app = TargetApp.Build(["--urls", "http://127.0.0.1:0", "--Kestrel:Endpoints:Main:Url=http://0.0.0.0:0"]);

        var refusal = await Assert.ThrowsAsync<TargetConfigurationException>(() => app.StartAsync());

        Assert.Contains("--control-token", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:0")]
    [InlineData("http://127.0.0.2:0")]
    [InlineData("http://[::1]:0")]
    [InlineData("http://localhost:0")]
    public void LoopbackUrls_NeedNoToken(string urls) => ListenAddresses.RequireLoopbackOrToken(urls, controlToken: null);

    [Fact]
    public void BeyondLoopback_WithAToken_IsAllowed() => ListenAddresses.RequireLoopbackOrToken("http://0.0.0.0:5080", Token);

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("naïve")]
    public void Build_TokenThatCannotTravelInAHeader_Refused(string token)
    {
        var refusal = Assert.Throws<TargetConfigurationException>(() => TargetApp.Build(["--urls", "http://127.0.0.1:0", "--control-token", token]));

        Assert.Contains("--control-token", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authorization_SchemeIsCaseInsensitive_TokenIsExact()
    {
        await using var target = await RunningTarget.StartAsync("--control-token", Token);

        using var lower = new HttpRequestMessage(HttpMethod.Post, FeedRoutes.DropConnections);
        lower.Headers.TryAddWithoutValidation("Authorization", "bearer " + Token);
        using (var response = await target.Http.SendAsync(lower))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        foreach (var wrong in new[] { Token.ToUpperInvariant(), Token[..^1], Token + "x", "" })
        {
            using var request = WithToken(HttpMethod.Post, FeedRoutes.DropConnections, wrong);
            using var response = await target.Http.SendAsync(request);
            await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        }
    }
}
