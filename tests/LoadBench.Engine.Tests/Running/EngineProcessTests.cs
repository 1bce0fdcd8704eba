using System.Text;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Running;

/// <summary>Which scenarios suit one epoll thread: streaming to a fixed number of subscribers at no more than
/// 50,000 deliveries per second.</summary>
public sealed class EngineProcessTests
{
    [Theory]
    [InlineData("sse", """[ { "model": "KeepConstant", "copies": 8000, "during": "35s" } ]""", 1, true)] // fanout-16k's engines
    [InlineData("ws", """[ { "model": "KeepConstant", "copies": 1000, "during": "15s" } ]""", 50, true)] // exactly 50,000/s
    [InlineData("ws", """[ { "model": "KeepConstant", "copies": 1000, "during": "15s" } ]""", 51, false)]
    [InlineData("sse", """[ { "model": "RampingConstant", "copies": 60000, "during": "10s" }, { "model": "KeepConstant", "copies": 10, "during": "5s" } ]""", 1, false)] // the peak counts
    [InlineData("poll", """[ { "model": "KeepConstant", "copies": 10, "during": "5s" } ]""", 1, false)]
    [InlineData("longpoll", """[ { "model": "KeepConstant", "copies": 10, "during": "5s" } ]""", 1, false)]
    public void SuitsOneSocketThread_StreamingAtFewDeliveriesPerSecondOnly(string transport, string load, double rate, bool expected) =>
        Assert.Equal(expected, EngineProcess.SuitsOneSocketThread(Scenario(transport, load, rate, setup: "")));

    [Theory]
    [InlineData("\"heartbeat\": \"10ms\",")] // 100 pings (and pongs) per subscriber per second the rate does not count
    [InlineData("\"tls\": true,")]
    [InlineData("\"compression\": \"permessage-deflate\",")]
    public void SuitsOneSocketThread_NotOutsideTheDefaultSetup(string setup)
    {
        Assert.True(EngineProcess.SuitsOneSocketThread(Scenario("ws", Few, 1, setup: "")));
        Assert.False(EngineProcess.SuitsOneSocketThread(Scenario("ws", Few, 1, setup)));
    }

    private const string Few = """[ { "model": "KeepConstant", "copies": 100, "during": "5s" } ]""";

    private static Scenario Scenario(string transport, string load, double rate, string setup) =>
        Assert.Single(ScenarioFile.Parse(Encoding.UTF8.GetBytes($$"""
            { "name": "p", "scenarios": [ { "name": "s", "transport": "{{transport}}", {{setup}} "feed": { "ratePerSecond": {{rate}}, "payloadBytes": 64 }, "load": {{load}} } ] }
            """), "plan.json").Scenarios);
}
