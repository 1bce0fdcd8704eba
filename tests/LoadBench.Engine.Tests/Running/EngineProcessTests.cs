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
    public void SuitsOneSocketThread_StreamingAtFewDeliveriesPerSecondOnly(string transport, string load, double rate, bool expected)
    {
        var plan = ScenarioFile.Parse(Encoding.UTF8.GetBytes($$"""
            { "name": "p", "scenarios": [ { "name": "s", "transport": "{{transport}}", "feed": { "ratePerSecond": {{rate}}, "payloadBytes": 64 }, "load": {{load}} } ] }
            """), "plan.json");

        Assert.Equal(expected, EngineProcess.SuitsOneSocketThread(Assert.Single(plan.Scenarios)));
    }
}
