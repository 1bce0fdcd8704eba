using LoadBench.Cli.Scenarios;

namespace LoadBench.Cli.Tests.Scenarios;

public sealed class ScenarioListingTests
{
    [Fact]
    public void Render_NamesEachScenario_ItsDescription_AndWhatItNeeds()
    {
        var text = ScenarioListing.Render([
            new BuiltInScenario("quick", [], "A first look.", []),
            new BuiltInScenario("behind-proxy", [], "Through a proxy and a broker.", ["nginx", "nats"]),
        ]);
        var lines = text.Split(Environment.NewLine);

        Assert.Contains("quick", lines);
        Assert.Contains("  A first look.", lines);
        Assert.Contains("behind-proxy   (needs nginx, nats)", lines);
        Assert.Contains("  Through a proxy and a broker.", lines);
        Assert.DoesNotContain("needs", lines.Single(l => l.StartsWith("quick", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_WrapsLongDescriptions_UnderTheName_WithoutLosingWords()
    {
        var description = string.Join(' ', Enumerable.Range(1, 60).Select(i => $"word{i}"));

        var text = ScenarioListing.Render([new BuiltInScenario("long", [], description, [])]);
        var body = text.Split(Environment.NewLine).SkipWhile(l => l != "long").Skip(1).Where(l => l.Length > 0).ToList();

        Assert.True(body.Count > 1, text);
        Assert.All(body, l => Assert.True(l.StartsWith("  ", StringComparison.Ordinal) && l.Length <= 100, l));
        Assert.Equal(description, string.Join(' ', body.Select(l => l.Trim())));
    }
}
