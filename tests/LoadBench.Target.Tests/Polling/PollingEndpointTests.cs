using System.Net;
using LoadBench.Target.Tests.TestSupport;

namespace LoadBench.Target.Tests.Polling;

public sealed class PollingEndpointTests
{
    [Fact]
    public async Task Poll_ReturnsEventsAfterCursor_ByteIdenticalToPublishedJson()
    {
        await using var target = await RunningTarget.StartAsync();
        var published = target.Publish(5);

        var body = await target.Http.GetStringAsync("/feed/poll?after=2");

        Assert.Equal("[" + string.Join(",", published.Skip(2)) + "]", body);
    }

    [Fact]
    public async Task Poll_NothingNew_ReturnsEmptyArray_WithContentLength()
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(2);

        using var response = await target.Http.GetAsync("/feed/poll?after=2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(2, response.Content.Headers.ContentLength);
        Assert.Equal("[]", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Poll_Max_LimitsTheBatch_AndTheRestFollows()
    {
        await using var target = await RunningTarget.StartAsync();
        var published = target.Publish(7);

        var first = await target.Http.GetStringAsync("/feed/poll?after=0&max=4");
        var second = await target.Http.GetStringAsync("/feed/poll?after=4&max=4");

        Assert.Equal("[" + string.Join(",", published.Take(4)) + "]", first);
        Assert.Equal("[" + string.Join(",", published.Skip(4)) + "]", second);
    }

    [Fact]
    public async Task Poll_AfterOmitted_ReturnsOnlyEventsPublishedFromNowOn()
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(3);

        Assert.Equal("[]", await target.Http.GetStringAsync("/feed/poll"));
    }

    [Fact]
    public async Task Poll_AfterOldestRetained_Returns410_NamingOldestSeq()
    {
        await using var target = await RunningTarget.StartAsync("--retention", "5");
        target.Publish(12);

        using var response = await target.Http.GetAsync("/feed/poll?after=3");

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.Gone);
        Assert.Equal(8, problem.GetProperty("oldestSeq").GetInt64());
    }

    [Fact]
    public async Task Poll_AfterZero_ReadsFromOldestRetained()
    {
        await using var target = await RunningTarget.StartAsync("--retention", "5");
        var published = target.Publish(12);

        Assert.Equal("[" + string.Join(",", published.Skip(7)) + "]", await target.Http.GetStringAsync("/feed/poll?after=0"));
    }

    [Theory]
    [InlineData("after=abc", "after")]
    [InlineData("after=-1", "after")]
    [InlineData("after=1.5", "after")]
    [InlineData("after=99999999999999999999999", "after")]
    [InlineData("after=500", "after")]
    [InlineData("after=1&max=0", "max")]
    [InlineData("after=1&max=-5", "max")]
    [InlineData("after=1&max=10001", "max")]
    [InlineData("after=1&max=ten", "max")]
    public async Task Poll_BadQuery_Returns400Problem_NamingTheParameter(string query, string parameter)
    {
        await using var target = await RunningTarget.StartAsync();
        target.Publish(3);

        using var response = await target.Http.GetAsync("/feed/poll?" + query);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        // The server is still there for the next, well-formed request.
        Assert.Equal("[]", await target.Http.GetStringAsync("/feed/poll?after=3"));
    }
}
