using System.Net;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.LongPolling;

public sealed class LongPollingEndpointTests
{
    [Fact]
    public async Task LongPoll_WaitsForNextEvent_ThenReturnsIt()
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(2);

        var pending = target.Http.GetStringAsync("/feed/long-poll?after=2&timeout=30000");
        await Task.Delay(100);
        Assert.False(pending.IsCompleted);
        var published = target.Publish(1);

        Assert.Equal("[" + published[0] + "]", await pending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task LongPoll_EventsAlreadyThere_ReturnAtOnce_ByteIdentical()
    {
        await using var target = await RunningTarget.StartAsync();
        var published = target.Publish(4);

        var body = await target.Http.GetStringAsync("/feed/long-poll?after=1");

        Assert.Equal("[" + string.Join(",", published.Skip(1)) + "]", body);
    }

    [Fact]
    public async Task LongPoll_TimeoutPasses_Returns204()
    {
        await using var target = await RunningTarget.StartAsync();

        using var response = await target.Http.GetAsync("/feed/long-poll?after=0&timeout=50");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task LongPoll_AfterOldestRetained_Returns410()
    {
        await using var target = await RunningTarget.StartAsync("--retention", "3");
        target.Publish(10);

        using var response = await target.Http.GetAsync("/feed/long-poll?after=2");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Gone);
        Assert.Equal(8, problem.GetProperty("oldestSeq").GetInt64());
    }

    [Theory]
    [InlineData("after=x", "after")]
    [InlineData("after=0&timeout=-1", "timeout")]
    [InlineData("after=0&timeout=120001", "timeout")]
    [InlineData("after=0&timeout=soon", "timeout")]
    [InlineData("after=0&max=0", "max")]
    public async Task LongPoll_BadQuery_Returns400Problem(string query, string parameter)
    {
        await using var target = await RunningTarget.StartAsync();

        using var response = await target.Http.GetAsync("/feed/long-poll?" + query);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
    }
}
