using System.Text;
using LoadBench.Engine.Limits;
using LoadBench.Engine.Scenarios;
using LoadBench.Syntax.Json;

namespace LoadBench.Engine.Tests.Limits;

/// <summary>A scenario entry's <c>search</c> block: read into <see cref="LimitSearch"/>, and every bad one
/// reported with file, line and field.</summary>
public sealed class SearchBlockTests
{
    private const string File = "scenarios/limits-test.json";

    private static ScenarioPlan Parse(string search) => ScenarioFile.Parse(Encoding.UTF8.GetBytes($$"""
        {
          "scenarios": [
            { "name": "{transport}_limit", "transport": ["sse", "ws"], "feed": { "ratePerSecond": 10, "payloadBytes": 256 },
              "load": [ { "model": "KeepConstant", "copies": 1, "during": "5s" } ],
              "search": {{search}} }
          ]
        }
        """), File);

    private static JsonSourceError SingleError(string search) =>
        Assert.Single(Assert.Throws<ScenarioFileException>(() => Parse(search)).Errors);

    [Fact]
    public void Parse_SearchBlock_IsReadIntoEachTransportsScenario()
    {
        var plan = Parse("""{ "vary": "copies", "from": 50, "to": 6400, "step": "5s", "slo": ["latency/p99 <= 250ms", "errors/rate <= 0.1%"] }""");

        Assert.Equal(2, plan.Scenarios.Count);
        var search = plan.Scenarios[1].Search!;
        Assert.Equal(LimitSearch.Copies, search.Vary);
        Assert.Equal((50.0, 6400.0), (search.From, search.To));
        Assert.Equal(TimeSpan.FromSeconds(5), search.StepLength);
        Assert.Equal(250, search.Slo[0].Limit);
        Assert.Equal(0.001, search.Slo[1].Limit, 9);
    }

    [Theory]
    [InlineData("""{ "vary": "clients", "from": 1, "to": 2, "step": "5s", "slo": ["integrity/lost == 0"] }""", "scenarios[0].search.vary", "unknown \"clients\"")]
    [InlineData("""{ "vary": "copies", "from": 0, "to": 2, "step": "5s", "slo": ["integrity/lost == 0"] }""", "scenarios[0].search.from", "must be above 0")]
    [InlineData("""{ "vary": "copies", "from": 10, "to": 2, "step": "5s", "slo": ["integrity/lost == 0"] }""", "scenarios[0].search.to", "must be at least 'from'")]
    [InlineData("""{ "vary": "copies", "from": 1, "to": 2, "step": "10m", "slo": ["integrity/lost == 0"] }""", "scenarios[0].search.step", "at most 5m")]
    [InlineData("""{ "vary": "copies", "from": 1, "to": 2, "step": "5s", "slo": ["latency/p99 +15%"] }""", "scenarios[0].search.slo[0]", "an SLO is an absolute limit")]
    [InlineData("""{ "vary": "copies", "from": 1, "to": 2, "step": "5s", "slo": ["latency/p98 <= 1ms"] }""", "scenarios[0].search.slo[0]", "unknown metric")]
    [InlineData("""{ "vary": "copies", "from": 1, "to": 2, "step": "5s", "slo": [] }""", "scenarios[0].search.slo", "at least one rule")]
    [InlineData("""{ "vary": "copies", "from": 1, "to": 2, "slo": ["integrity/lost == 0"] }""", "scenarios[0].search.step", "is required")]
    [InlineData("""{ "vary": "copies", "from": 1, "to": 2, "step": "5s", "slo": ["integrity/lost == 0"], "tol": 1 }""", "scenarios[0].search.tol", "unknown field")]
    public void Parse_BadSearchBlock_NamesFileLineAndField(string search, string field, string message)
    {
        var error = SingleError(search);

        Assert.Equal(File, error.File);
        Assert.Equal(5, error.Line);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
