using LoadBench.Engine.Running;

namespace LoadBench.Engine.Tests.Running;

/// <summary>Which plans get one epoll thread: those whose every scenario keeps a stream open.</summary>
public sealed class EngineProcessTests
{
    [Theory]
    [InlineData(new[] { "sse" }, true)]
    [InlineData(new[] { "ws" }, true)]
    [InlineData(new[] { "sse", "ws", "sse" }, true)]
    [InlineData(new[] { "sse", "poll" }, false)]
    [InlineData(new[] { "ws", "longpoll" }, false)]
    [InlineData(new[] { "poll" }, false)]
    [InlineData(new string[0], false)]
    public void StreamsOnly_IsTrueOnlyWhenEveryTransportStreams(string[] transports, bool expected) =>
        Assert.Equal(expected, EngineProcess.StreamsOnly(transports));
}
