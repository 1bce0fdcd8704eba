using System.Text;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Transports;
using LoadBench.Syntax.Json;

namespace LoadBench.Engine.Tests.Scenarios;

public sealed class ScenarioFileTests
{
    private const string File = "scenarios/test.json";

    private static ScenarioPlan Parse(string json) => ScenarioFile.Parse(Encoding.UTF8.GetBytes(json), File);

    private static JsonSourceError SingleError(string json)
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse(json));
        return Assert.Single(ex.Errors);
    }

    [Fact]
    public void Parse_ValidFile_GivesTheScenarioWithDefaultsApplied()
    {
        var plan = Parse("""
            {
              "name": "demo",
              "defaults": { "warmUp": "2s", "feed": { "ratePerSecond": 10, "payloadBytes": 256 }, "pollInterval": "250ms" },
              "scenarios": [
                { "name": "poll_10", "transport": "poll",
                  "load": [ { "model": "KeepConstant", "copies": 10, "during": "00:00:05" },
                            { "model": "RampingConstant", "copies": 0, "during": "1.5s" } ] },
                { "name": "sse_fast", "transport": "sse", "feed": { "ratePerSecond": 100 }, "warmUp": "0s",
                  "load": [ { "model": "KeepConstant", "copies": 3, "during": "1m" } ] }
              ]
            }
            """);

        Assert.Equal("demo", plan.Name);
        Assert.Equal(64, plan.Hash.Length);
        Assert.Equal(2, plan.Scenarios.Count);
        var poll = plan.Scenarios[0];
        Assert.Equal("poll", poll.Transport);
        Assert.Equal(TimeSpan.FromSeconds(2), poll.WarmUp);
        Assert.Equal(new FeedSpec(10, 256), poll.Feed);
        Assert.Equal(TimeSpan.FromMilliseconds(250), poll.Client.PollInterval);
        Assert.Equal([new KeepConstant(10, TimeSpan.FromSeconds(5)), new RampingConstant(0, TimeSpan.FromSeconds(1.5))], poll.Load);
        var sse = plan.Scenarios[1];
        Assert.Equal(new FeedSpec(100, 256), sse.Feed); // rate overridden, payload from defaults
        Assert.Equal(TimeSpan.Zero, sse.WarmUp);
        Assert.Equal(TimeSpan.FromMinutes(1), sse.Duration);
    }

    [Fact]
    public void Parse_ListValuedFields_ExpandIntoOneScenarioPerCombination()
    {
        var plan = Parse("""
            {
              "defaults": { "feed": { "payloadBytes": 64 } },
              "scenarios": [
                { "name": "{transport}_{copies}_at_{rate}",
                  "transport": ["poll", "sse"], "copies": [1, 20], "feed": { "ratePerSecond": [2, 0.5] },
                  "load": [ { "model": "KeepConstant", "during": "3s" } ] }
              ]
            }
            """);

        Assert.Equal(8, plan.Scenarios.Count);
        Assert.Equal("test", plan.Name); // from the file name
        Assert.Equal("poll_1_at_2", plan.Scenarios[0].Name);
        Assert.Contains(plan.Scenarios, s => s.Name == "sse_20_at_0_5" && s.Feed.RatePerSecond == 0.5 && s.Load[0] == new KeepConstant(20, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public void Parse_MalformedJson_NamesFileLineAndColumn()
    {
        var error = SingleError("{\n  \"scenarios\": [\n    { \"name\": \"x\" \n      \"transport\": \"sse\" }\n  ]\n}");

        Assert.Equal(File, error.File);
        Assert.Equal(4, error.Line);
        Assert.StartsWith($"{File}:4:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("malformed JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FieldWrittenTwice_IsRefusedWithFileLineAndField()
    {
        var error = SingleError("""
            {
              "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 10 } },
              "scenarios": [
                { "name": "a", "transport": "sse",
                  "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ],
                  "transport": "ws" }
              ]
            }
            """);

        Assert.Equal((File, 6, 7, "scenarios[0].transport"), (error.File, error.Line, error.Column, error.Field));
        Assert.Equal($"{File}:6:7: field 'scenarios[0].transport': is written twice (first at line 4); keep one", error.ToString());
    }

    [Fact]
    public void Parse_ContentAfterTheDocument_IsRefusedWithFileAndLine()
    {
        var error = SingleError("""
            { "scenarios": [ { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            ,{ "scenarios": [] }
            """);

        Assert.Equal((File, 3, 1), (error.File, error.Line, error.Column));
        Assert.Equal($"{File}:3:1: unexpected content after the end of the JSON document", error.ToString());
    }

    [Fact]
    public void Parse_ReconnectBlock_SetsTheBackoff_AndDefaultsFillWhatIsLeftOut()
    {
        var plan = Parse("""
            {
              "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 10 }, "reconnect": { "maxDelay": "10s" } },
              "scenarios": [
                { "name": "a", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] },
                { "name": "b", "transport": "ws", "reconnect": { "initialDelay": "100ms", "maxDelay": "2s", "jitter": "none" },
                  "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] },
                { "name": "c", "transport": "ws", "reconnect": { },
                  "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] }
              ]
            }
            """);

        Assert.Equal(ReconnectPolicy.Default with { MaxDelay = TimeSpan.FromSeconds(10) }, plan.Scenarios[0].Client.Reconnect);
        Assert.Equal(new ReconnectPolicy(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), ReconnectJitter.None), plan.Scenarios[1].Client.Reconnect);
        Assert.Equal(ReconnectPolicy.Default, plan.Scenarios[2].Client.Reconnect); // an entry's block replaces the defaults' whole
        Assert.Equal(new ReconnectPolicy(TimeSpan.FromMilliseconds(25), TimeSpan.FromSeconds(1), ReconnectJitter.Full), ReconnectPolicy.Default);
    }

    [Theory]
    [InlineData("""{ "jitter": "half" }""", "scenarios[0].reconnect.jitter", "unknown \"half\"; expected \"full\"")]
    [InlineData("""{ "initialDelay": "2s", "maxDelay": "1s" }""", "scenarios[0].reconnect.maxDelay", "'maxDelay' must be at least 'initialDelay' (2000 ms), got 1000 ms")]
    [InlineData("""{ "initialDelay": "0s" }""", "scenarios[0].reconnect.initialDelay", "must be above 0s and at most 1m")]
    [InlineData("""{ "maxDelay": "2m" }""", "scenarios[0].reconnect.maxDelay", "must be above 0s and at most 1m")]
    [InlineData("""{ "initalDelay": "1s" }""", "scenarios[0].reconnect.initalDelay", "unknown field (did you mean 'initialDelay'?)")]
    [InlineData("""{ "maxDelay": 5 }""", "scenarios[0].reconnect.maxDelay", "must be a duration like")]
    [InlineData("""[ "100ms" ]""", "scenarios[0].reconnect", "must be an object")]
    public void Parse_BadReconnectBlock_NamesFileLineAndField(string block, string field, string message)
    {
        var error = SingleError($$"""
            {
              "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 10 } },
              "scenarios": [
                { "name": "a", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ],
                  "reconnect": {{block}} }
              ]
            }
            """);

        Assert.Equal(File, error.File);
        Assert.Equal(5, error.Line);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NegativeCopies_NamesLineAndFieldPath()
    {
        var error = SingleError("""
            {
              "defaults": { "feed": { "ratePerSecond": 1, "payloadBytes": 10 } },
              "scenarios": [
                { "name": "a", "transport": "sse", "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] },
                { "name": "b", "transport": "ws",
                  "load": [
                    { "model": "KeepConstant", "copies": -3, "during": "1s" }
                  ] }
              ]
            }
            """);

        Assert.Equal(7, error.Line);
        Assert.Equal("scenarios[1].load[0].copies", error.Field);
        Assert.Equal($"{File}:7:{error.Column}: field 'scenarios[1].load[0].copies': must be a positive integer up to 100000, got -3", error.ToString());
    }

    [Fact]
    public void Parse_MissingFieldUnknownTransportAndNegativeCopies_ReportsAllThreeAtTheirPlaces()
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse("""
            {
              "scenarios": [
                { "name": "a",
                  "transport": "grpc",
                  "feed": { "ratePerSecond": 1 },
                  "load": [
                    { "model": "KeepConstant", "copies": -3, "during": "1s" }
                  ] }
              ]
            }
            """));

        Assert.Equal(
            [
                (3, "scenarios[0].feed.payloadBytes", "is required (here or in defaults.feed): the size of each event's data in bytes"),
                (4, "scenarios[0].transport", "must be one of poll, longpoll, sse, ws, got \"grpc\""),
                (7, "scenarios[0].load[0].copies", "must be a positive integer up to 100000, got -3"),
            ],
            ex.Errors.Select(e => (e.Line, e.Field, e.Message)).OrderBy(e => e.Line));
        Assert.All(ex.Errors, e => Assert.Equal(File, e.File));
        Assert.Contains($"{File}:4:20: field 'scenarios[0].transport': must be one of", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnreadableStepBesideAnInvalidOne_ReportsBoth()
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse("""
            { "scenarios": [ { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "ten" },
                                         { "model": "KeepConstant", "copies": -3, "during": "1s" } ] } ] }
            """));

        Assert.Equal(
            [(2, "scenarios[0].load[0].during"), (3, "scenarios[0].load[1].copies")],
            ex.Errors.Select(e => (e.Line, e.Field)));
    }

    [Fact]
    public void Parse_ListWithOneUnreadableValue_StillChecksTheOthers()
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse("""
            { "scenarios": [ { "name": "{transport}", "transport": ["grpc", 7, "sse"], "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            """));

        Assert.Equal(
            [
                ("scenarios[0].transport[1]", "must be a string, got 7"),
                ("scenarios[0].transport[0]", "must be one of poll, longpoll, sse, ws, got \"grpc\""),
            ],
            ex.Errors.Select(e => (e.Field, e.Message)));
    }

    [Fact]
    public void Parse_MissingNameAndClientsOnAClosedModel_ReportsBoth()
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse("""
            { "scenarios": [ { "transport": "sse", "clients": 5, "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            """));

        Assert.Equal(["scenarios[0].name", "scenarios[0].clients"], ex.Errors.Select(e => e.Field));
        Assert.Contains("applies to open models", ex.Errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PollIntervalPlaceholderWithoutAPollInterval_NamesTheDefaultInterval()
    {
        var plan = Parse("""
            { "scenarios": [ { "name": "poll_every_{pollInterval}", "transport": "poll", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            """);

        var scenario = Assert.Single(plan.Scenarios);
        Assert.Equal(TimeSpan.FromSeconds(1), scenario.Client.PollInterval);
        Assert.Equal("poll_every_1000ms", scenario.Name);
    }

    [Fact]
    public void Parse_SchemaDescriptionAndRequires_AreAcceptedAndExposed()
    {
        var plan = Parse("""
            {
              "$schema": "./scenario.schema.json",
              "description": "needs a proxy in front of the target",
              "requires": ["nginx", "nats"],
              "scenarios": [ { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ]
            }
            """);

        Assert.Equal("needs a proxy in front of the target", plan.Description);
        Assert.Equal(["nginx", "nats"], plan.Requires);
        Assert.Single(plan.Scenarios);
    }

    [Fact]
    public void Parse_NoDescriptionOrRequires_GivesNullAndEmpty()
    {
        var plan = Parse("""
            { "scenarios": [ { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            """);

        Assert.Null(plan.Description);
        Assert.Empty(plan.Requires);
    }

    [Fact]
    public void Parse_BadRequiresAndSchema_AreReportedAtTheirItems()
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse("""
            {
              "$schema": 5,
              "requires": ["redis", "nats", "nats"],
              "scenarios": [ { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ]
            }
            """));

        Assert.Equal(
            [
                (2, "$schema", "must be a string, got 5"),
                (3, "requires[0]", "unknown requirement \"redis\"; expected one of nginx, nats"),
                (3, "requires[2]", "\"nats\" is listed twice"),
            ],
            ex.Errors.Select(e => (e.Line, e.Field, e.Message)));
    }

    [Fact]
    public void Parse_WrongType_SaysWhatWasExpectedAndFound()
    {
        var error = SingleError("""
            { "scenarios": [ { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": "big" },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            """);

        Assert.Equal("scenarios[0].feed.payloadBytes", error.Field);
        Assert.Equal(1, error.Line);
        Assert.Equal("must be an integer, got the string \"big\"", error.Message);
    }

    [Fact]
    public void Parse_MissingField_NamesIt()
    {
        var error = SingleError("""
            { "scenarios": [ { "name": "a", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            """);

        Assert.Equal("scenarios[0].transport", error.Field);
        Assert.StartsWith("is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownField_IsAnErrorWithASuggestion()
    {
        var error = SingleError("""
            {
              "scenarios": [
                { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                  "warmup": "5s",
                  "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] }
              ]
            }
            """);

        Assert.Equal("scenarios[0].warmup", error.Field);
        Assert.Equal(4, error.Line);
        Assert.Contains("unknown field (did you mean 'warmUp'?)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownTransport_ListsTheKnownOnes()
    {
        var error = SingleError("""
            { "scenarios": [ { "name": "a", "transport": "grpc", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            """);

        Assert.Equal("scenarios[0].transport", error.Field);
        Assert.Equal("must be one of poll, longpoll, sse, ws, got \"grpc\"", error.Message);
    }

    [Fact]
    public void Parse_OpenModelOnSse_IsRefusedWithTheReason()
    {
        var error = SingleError("""
            { "scenarios": [
                { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                  "load": [ { "model": "Inject", "rate": 10, "interval": "1s", "during": "5s" } ] } ] }
            """);

        Assert.Equal("scenarios[0].load[0]", error.Field);
        Assert.Equal(3, error.Line);
        Assert.Contains("Inject is an open model", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sse'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OpenModelOnSseFromAnExpandedList_PointsAtTheListItem()
    {
        var ex = Assert.Throws<ScenarioFileException>(() => Parse("""
            { "scenarios": [
                { "name": "{transport}_inject", "transport": ["poll", "ws"], "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                  "load": [ { "model": "Inject", "rate": 10, "during": "5s" } ] } ] }
            """));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("scenarios[0].load[0]", error.Field);
        Assert.Contains("'ws'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateNamesAfterExpansion_AreRefused()
    {
        var error = SingleError("""
            { "scenarios": [
                { "name": "same", "transport": ["poll", "sse"], "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                  "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            """);

        Assert.Equal("scenarios[0].name", error.Field);
        Assert.Contains("used twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"10\"")]
    [InlineData("10")]
    [InlineData("\"ten seconds\"")]
    public void Parse_BadDuration_ShowsExamples(string during)
    {
        var error = SingleError($$"""
            { "scenarios": [ { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": {{during}} } ] } ] }
            """);

        Assert.Equal("scenarios[0].load[0].during", error.Field);
        Assert.Contains("\"10s\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownModel_SuggestsTheRightCase()
    {
        var error = SingleError("""
            { "scenarios": [ { "name": "a", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 1 },
                               "load": [ { "model": "keepconstant", "copies": 1, "during": "1s" } ] } ] }
            """);

        Assert.Equal("scenarios[0].load[0].model", error.Field);
        Assert.Contains("did you mean \"KeepConstant\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ErrorInDefaults_PointsAtTheDefaults()
    {
        var error = SingleError("""
            { "defaults": { "feed": { "ratePerSecond": -1, "payloadBytes": 1 } },
              "scenarios": [ { "name": "{transport}", "transport": ["poll", "sse"],
                               "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] } ] }
            """);

        Assert.Equal("defaults.feed.ratePerSecond", error.Field);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Load_MissingFile_IsAScenarioFileException()
    {
        var ex = Assert.Throws<ScenarioFileException>(() => ScenarioFile.Load("/nonexistent/loadbench.json"));

        Assert.StartsWith("/nonexistent/loadbench.json:1:1: cannot read", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("00:00:10", 10_000)]
    [InlineData("00:01:00.5", 60_500)]
    public void DurationText_KnownForms_Parse(string text, double expectedMs)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), value);
    }
}
