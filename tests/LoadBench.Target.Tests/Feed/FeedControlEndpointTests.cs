using System.Net;
using System.Net.Http.Json;
using System.Text;
using LoadBench.Contracts;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Feed;

public sealed class FeedControlEndpointTests
{
    [Fact]
    public async Task Info_ReportsOldestLatestRateAndPayload()
    {
        await using var target = await RunningTarget.StartAsync("--retention", "3", "--payload-bytes", "32");
        target.Publish(5);

        var info = await target.Http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo);

        Assert.Equal(new FeedInfo(3, 5, 0, 32, 0, target.Log.Epoch), info);
        Assert.Matches("^[0-9a-f]{16}$", info!.Epoch);
    }

    [Fact]
    public async Task Settings_ChangesThePublisherAtRunTime()
    {
        await using var target = await RunningTarget.StartAsync();

        using var response = await target.Http.PutAsync(FeedRoutes.Settings, Json("""{"ratePerSecond":200,"payloadBytes":100}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var info = await response.Content.ReadFromJsonAsync(ContractsJson.Default.FeedInfo);
        Assert.Equal(200, info!.RatePerSecond);
        Assert.Equal(100, info.PayloadBytes);
        await Wait.UntilAsync(() => target.Log.LatestSeq >= 5, "the publisher to run at the new rate");
        using var pause = await target.Http.PutAsync(FeedRoutes.Settings, Json("""{"ratePerSecond":0}"""));
        var paused = await pause.Content.ReadFromJsonAsync(ContractsJson.Default.FeedInfo);
        Assert.Equal(0, paused!.RatePerSecond);
        Assert.Equal(100, paused.PayloadBytes);
    }

    [Theory]
    [InlineData("", "Malformed settings")]
    [InlineData("null", "Malformed settings")]
    [InlineData("{\"ratePerSecond\":", "Malformed settings")]
    [InlineData("{\"rate\":5}", "Malformed settings")]
    [InlineData("{\"ratePerSecond\":\"fast\"}", "Malformed settings")]
    [InlineData("{\"ratePerSecond\":-1}", "Invalid 'ratePerSecond'")]
    [InlineData("{\"ratePerSecond\":1e9}", "Invalid 'ratePerSecond'")]
    [InlineData("{\"payloadBytes\":-1}", "Invalid 'payloadBytes'")]
    [InlineData("{\"payloadBytes\":2000000}", "Invalid 'payloadBytes'")]
    [InlineData("{\"deliveryDelayMs\":-5}", "Invalid 'deliveryDelayMs'")]
    public async Task Settings_MalformedBody_Returns400Problem_AndChangesNothing(string body, string title)
    {
        await using var target = await RunningTarget.StartAsync("--payload-bytes", "10");

        using var response = await target.Http.PutAsync(FeedRoutes.Settings, Json(body));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        var info = await target.Http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo);
        Assert.Equal(new FeedInfo(0, 0, 0, 10, 0, target.Log.Epoch), info);
    }

    [Fact]
    public async Task DeliveryDelay_HoldsBackEveryTransport()
    {
        await using var target = await RunningTarget.StartAsync();
        using var set = await target.Http.PutAsync(FeedRoutes.Settings, Json("""{"deliveryDelayMs":300}"""));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        target.Publish(1);

        // Not yet visible to a poll; a long poll waits for it and gets it.
        Assert.Equal("[]", await target.Http.GetStringAsync("/feed/poll?after=0"));
        var body = await target.Http.GetStringAsync("/feed/long-poll?after=0&timeout=10000");
        Assert.Contains("\"seq\":1", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DropConnections_AbortsEveryFeedConnection()
    {
        await using var target = await RunningTarget.StartAsync();
        using var sse = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await sse.SendGetAsync(FeedRoutes.Sse + "?after=0");
        await sse.ReadHeadAsync();
        using var longPoll = await RawHttpConnection.OpenAsync(target.BaseAddress);
        await longPoll.SendGetAsync(FeedRoutes.LongPoll + "?after=0");
        await Wait.UntilAsync(() => target.Log.WaitingReaders == 1, "the long poll to be waiting (its cursor read)");

        using var response = await target.Http.PostAsync(FeedRoutes.DropConnections, null);

        Assert.Equal("""{"dropped":2}""", await response.Content.ReadAsStringAsync());
        // Both sockets are closed by the target (a read sees the end, or a reset).
        await AssertClosedAsync(sse);
        await AssertClosedAsync(longPoll);
    }

    [Fact]
    public async Task DropConnections_WithCount_AbortsTheNewestOnes_TheRestKeepBeingServed()
    {
        await using var target = await RunningTarget.StartAsync();
        var subscribers = new List<RawHttpConnection>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var sse = await RawHttpConnection.OpenAsync(target.BaseAddress);
                subscribers.Add(sse);
                await sse.SendGetAsync(FeedRoutes.Sse + "?after=0");
                await sse.ReadHeadAsync();
                await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == i + 1, "the subscriber to be open");
            }

            using var response = await target.Http.PostAsync(FeedRoutes.DropConnections + "?count=3", null);

            Assert.Equal("""{"dropped":3}""", await response.Content.ReadAsStringAsync());
            foreach (var dropped in subscribers[2..])
            {
                await AssertClosedAsync(dropped);
            }

            // The two opened first were kept, and still get events.
            target.Publish(1);
            foreach (var kept in subscribers[..2])
            {
                var bytes = await kept.ReadUntilAsync("\"seq\":1,", 1);
                Assert.Contains("\"seq\":1,", System.Text.Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
            }

            // The client sees its socket closed before the aborted request's handler has unwound and counted it closed.
            await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 2, "the three dropped to be counted closed");
        }
        finally
        {
            subscribers.ForEach(s => s.Dispose());
        }
    }

    [Theory]
    [InlineData(0.5, 2)]  // half of 4
    [InlineData(0.3, 1)]  // 1.2 rounds to 1
    [InlineData(1.0, 4)]
    [InlineData(0.0, 0)]
    public async Task DropConnections_WithFraction_AbortsThatShareRounded(double fraction, int expected)
    {
        await using var target = await RunningTarget.StartAsync();
        var subscribers = new List<RawHttpConnection>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var sse = await RawHttpConnection.OpenAsync(target.BaseAddress);
                subscribers.Add(sse);
                await sse.SendGetAsync(FeedRoutes.Sse + "?after=0");
                await sse.ReadHeadAsync();
            }

            await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 4, "four subscribers");
            using var response = await target.Http.PostAsync(
                FeedRoutes.DropConnections + "?fraction=" + fraction.ToString(System.Globalization.CultureInfo.InvariantCulture), null);

            Assert.Equal($$"""{"dropped":{{expected}}}""", await response.Content.ReadAsStringAsync());
            await Wait.UntilAsync(() => target.Stats.Sse.Snapshot().OpenConnections == 4 - expected, "the rest to stay open");
        }
        finally
        {
            subscribers.ForEach(s => s.Dispose());
        }
    }

    [Theory]
    [InlineData("?count=-1", "count")]
    [InlineData("?count=many", "count")]
    [InlineData("?fraction=1.5", "fraction")]
    [InlineData("?fraction=-0.1", "fraction")]
    [InlineData("?fraction=half", "fraction")]
    [InlineData("?count=1&fraction=0.5", "count")]
    public async Task DropConnections_BadCountOrFraction_Is400NamingIt(string query, string parameter)
    {
        await using var target = await RunningTarget.StartAsync();

        using var response = await target.Http.PostAsync(FeedRoutes.DropConnections + query, null);

        var problem = await Problems.AssertProblemAsync(response, System.Net.HttpStatusCode.BadRequest);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
    }

    private static async Task AssertClosedAsync(RawHttpConnection connection)
    {
        try
        {
            await connection.ReadToEndAsync();
        }
        catch (IOException)
        {
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
