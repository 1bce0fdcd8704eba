using System.Text;
using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Scenarios;

/// <summary>The <c>faults</c> block: read into <see cref="ScenarioFault"/>s, and every mistake named with file, line and field.</summary>
public sealed class FaultsBlockTests
{
    private const string File = "scenarios/faults-test.json";

    private static ScenarioPlan Parse(string json) => ScenarioFile.Parse(Encoding.UTF8.GetBytes(json), File);

    /// <summary>A file whose one scenario measures 20 s, with <paramref name="faults"/> on line 5.</summary>
    private static string WithFaults(string faults) => $$"""
        {
          "scenarios": [
            { "name": "sse_faults", "transport": "sse", "feed": { "ratePerSecond": 10, "payloadBytes": 64 },
              "load": [ { "model": "KeepConstant", "copies": 10, "during": "20s" } ],
              "faults": {{faults}} }
          ]
        }
        """;

    [Fact]
    public void Parse_FaultsBlock_GivesTheFaultsInOrder_AndDefaultsApply()
    {
        var plan = Parse("""
            {
              "defaults": { "faults": [ { "at": "2s", "kind": "restart" } ] },
              "scenarios": [
                { "name": "own", "transport": "ws", "feed": { "ratePerSecond": 10, "payloadBytes": 64 },
                  "load": [ { "model": "KeepConstant", "copies": 10, "during": "20s" } ],
                  "faults": [ { "at": "1s", "kind": "abort", "fraction": 0.01, "duration": "10s" }, { "at": "15s", "kind": "pause", "duration": "500ms" } ] },
                { "name": "inherited", "transport": "poll", "feed": { "ratePerSecond": 10, "payloadBytes": 64 },
                  "load": [ { "model": "KeepConstant", "copies": 10, "during": "20s" } ] }
              ]
            }
            """);

        Assert.Equal(
            [new ScenarioFault(TimeSpan.FromSeconds(1), FaultKinds.Abort, 0.01, TimeSpan.FromSeconds(10)),
             new ScenarioFault(TimeSpan.FromSeconds(15), FaultKinds.Pause, null, TimeSpan.FromMilliseconds(500))],
            plan.Scenarios[0].Faults);
        Assert.Equal([new ScenarioFault(TimeSpan.FromSeconds(2), FaultKinds.Restart)], plan.Scenarios[1].Faults);
        Assert.Equal(new FaultRequest("abort", 0.01, 10_000), plan.Scenarios[0].Faults[0].ToRequest());
    }

    [Theory]
    [InlineData("""[ { "at": "1s", "kind": "unplug" } ]""", 5, "scenarios[0].faults[0].kind", "must be one of abort, stall, pause, drop-all, restart")]
    [InlineData("""[ { "at": "1s", "kind": "abort", "duration": "5s" } ]""", 5, "scenarios[0].faults[0]", "needs 'fraction'")]
    [InlineData("""[ { "at": "1s", "kind": "abort", "fraction": 1.5, "duration": "5s" } ]""", 5, "scenarios[0].faults[0].fraction", "above 0 and at most 1")]
    [InlineData("""[ { "at": "1s", "kind": "stall", "fraction": 0.1 } ]""", 5, "scenarios[0].faults[0]", "needs 'duration'")]
    [InlineData("""[ { "at": "1s", "kind": "restart", "duration": "5s" } ]""", 5, "scenarios[0].faults[0].duration", "takes no duration")]
    [InlineData("""[ { "at": "1s", "kind": "pause", "fraction": 0.5, "duration": "1s" } ]""", 5, "scenarios[0].faults[0].fraction", "takes no fraction")]
    [InlineData("""[ { "at": "20s", "kind": "drop-all" } ]""", 5, "scenarios[0].faults[0].at", "before the end of the measured phase")]
    [InlineData("""[ { "at": "15s", "kind": "abort", "fraction": 0.1, "duration": "10s" } ]""", 5, "scenarios[0].faults[0].duration", "must end inside the measured phase")]
    [InlineData("""[ { "at": "soon", "kind": "restart" } ]""", 5, "scenarios[0].faults[0].at", "must be a duration")]
    [InlineData("""[ { "kind": "restart" } ]""", 5, "scenarios[0].faults[0].at", "is required")]
    [InlineData("""[ { "at": "1s", "kind": "restart", "when": "now" } ]""", 5, "scenarios[0].faults[0].when", "unknown field")]
    [InlineData("""{ "at": "1s", "kind": "restart" }""", 5, "scenarios[0].faults", "must be a list of faults")]
    public void Parse_FaultMistake_NamesFileLineAndField(string faults, int line, string field, string message)
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse(WithFaults(faults)));

        var error = Assert.Single(ex.Errors);
        Assert.Equal((File, line, field), (error.File, error.Line, error.Field));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FaultsBuiltInCode_AreCheckedToo()
    {
        var scenario = new Scenario
        {
            Name = "code",
            Transport = TransportIds.Sse,
            Load = [new KeepConstant(1, TimeSpan.FromSeconds(5))],
            Feed = new FeedSpec(10, 64),
            Faults = [new ScenarioFault(TimeSpan.FromSeconds(1), FaultKinds.Abort, 0, TimeSpan.FromSeconds(1))],
        };

        var issue = Assert.Single(ScenarioValidator.Validate(scenario));

        Assert.Equal("faults[0].fraction", issue.Field);
    }

    [Fact]
    public void FromScenarios_PlansThatDifferOnlyInFaults_HashDifferently()
    {
        var plain = new Scenario
        {
            Name = "code",
            Transport = TransportIds.Sse,
            Load = [new KeepConstant(1, TimeSpan.FromSeconds(5))],
            Feed = new FeedSpec(10, 64),
        };
        var faulted = plain with { Faults = [new ScenarioFault(TimeSpan.FromSeconds(1), FaultKinds.Restart)] };

        Assert.NotEqual(ScenarioPlan.FromScenarios("p", [plain]).Hash, ScenarioPlan.FromScenarios("p", [faulted]).Hash);
        Assert.Equal(ScenarioPlan.FromScenarios("p", [faulted]).Hash, ScenarioPlan.FromScenarios("p", [faulted with { }]).Hash);
    }
}
