using LoadBench.Contracts;
using LoadBench.Engine.Distributed.Coordinator;
using LoadBench.Engine.Distributed.Messages;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Distributed;

public sealed class LoadSharesTests
{
    [Theory]
    [InlineData(10, new long[] { 1, 1, 1 }, new[] { 4, 3, 3 })]
    [InlineData(100, new long[] { 3000, 1000 }, new[] { 75, 25 })]
    [InlineData(2, new long[] { 5, 5, 5 }, new[] { 1, 1, 0 })]
    [InlineData(7, new long[] { 0, 0 }, new[] { 4, 3 })]
    public void Apportion_IsWholeNumbersByWeight_AddingUpExactly(int total, long[] weights, int[] expected)
    {
        var shares = LoadShares.Apportion(total, weights);
        Assert.Equal(expected, shares);
        Assert.Equal(total, shares.Sum());
    }

    [Fact]
    public void Split_ClosedModel_SharesEveryStepsCopies_SumsToTheScenario()
    {
        var scenario = Scenario([new RampingConstant(100, TimeSpan.FromSeconds(2)), new KeepConstant(101, TimeSpan.FromSeconds(3))], TransportIds.Sse);

        var shares = LoadShares.Split(scenario, [1000, 1000, 1000]);

        Assert.Equal(3, shares.Count);
        Assert.Equal(100, shares.Sum(s => ((RampingConstant)s.Load[0]).Copies));
        Assert.Equal(101, shares.Sum(s => ((KeepConstant)s.Load[1]).Copies));
        Assert.All(shares, s => Assert.Equal(scenario.Duration, s.Duration));
    }

    [Fact]
    public void Split_OpenModel_SharesTheArrivalRateAndPool()
    {
        var scenario = Scenario([new Inject(90, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2))], TransportIds.Polling) with { OpenModelClients = 30 };

        var shares = LoadShares.Split(scenario, [2, 1]);

        Assert.Equal([60, 30], shares.Select(s => ((Inject)s.Load[0]).Rate));
        Assert.Equal([20, 10], shares.Select(s => s.OpenModelClients!.Value));
    }

    [Fact]
    public void ScenarioWire_RoundTrips_WhatTheAgentPlays()
    {
        var scenario = Scenario([new KeepConstant(5, TimeSpan.FromSeconds(3)), new RampingInject(7, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1))], TransportIds.LongPolling)
            with { WarmUp = TimeSpan.FromSeconds(1), Client = new ClientSpec { PollInterval = TimeSpan.FromMilliseconds(250), MaxPerPoll = 10 } };

        var back = ScenarioWire.From(scenario).ToScenario();

        Assert.Equal(scenario.DescribeLoad(), back.DescribeLoad());
        Assert.Equal(scenario.Feed, back.Feed);
        Assert.Equal(scenario.WarmUp, back.WarmUp);
        Assert.Equal(scenario.Client, back.Client);
    }

    [Fact]
    public void ScenarioWire_CarriesTheSetup_ThroughJson()
    {
        var setup = new ConnectionSetup { Http = "2", Tls = true, Heartbeat = TimeSpan.FromSeconds(15), StreamsPerConnection = 10 };
        var scenario = Scenario([new KeepConstant(5, TimeSpan.FromSeconds(3))], TransportIds.Sse) with { Setup = setup };

        var json = System.Text.Json.JsonSerializer.Serialize(ScenarioWire.From(scenario), DistributedJson.Default.ScenarioWire);
        var back = System.Text.Json.JsonSerializer.Deserialize(json, DistributedJson.Default.ScenarioWire)!.ToScenario();

        Assert.Equal(setup, back.Setup);
    }

    private static Scenario Scenario(IReadOnlyList<LoadSimulation> load, string transport) => new()
    {
        Name = "s",
        Transport = transport,
        Load = load,
        Feed = new FeedSpec(10, 64),
    };
}
