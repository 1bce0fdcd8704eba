using LoadBench.Cli.Scenarios;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Gate.Thresholds;

namespace LoadBench.Cli.Tests.Scenarios;

public sealed class BuiltInScenariosTests
{
    [Fact]
    public void All_AreTheRepositoryScenarioFiles_ByteForByte()
    {
        var files = RepositoryScenarios.Files();

        Assert.Equal(files.Select(Path.GetFileNameWithoutExtension), BuiltInScenarios.All.Select(s => s.Name));
        Assert.Contains("quick", BuiltInScenarios.All.Select(s => s.Name));
        Assert.Contains("compare-transports", BuiltInScenarios.All.Select(s => s.Name));
        foreach (var (file, builtIn) in files.Zip(BuiltInScenarios.All))
        {
            Assert.Equal(File.ReadAllBytes(file), builtIn.Bytes);
            Assert.Equal(RepositoryScenarios.Description(file), builtIn.Description);
        }
    }

    [Fact]
    public void All_LeaveOutTheBenchmarkInputsAndTheSchema()
    {
        var benchNames = Directory.GetFiles(Path.Combine(RepositoryScenarios.Folder, "bench"), "*.json").Select(Path.GetFileNameWithoutExtension);

        Assert.NotEmpty(benchNames);
        Assert.All(benchNames, name => Assert.Null(BuiltInScenarios.Find(name!)));
        Assert.Null(BuiltInScenarios.Find(RepositoryScenarios.SchemaFileName));
        Assert.Null(BuiltInScenarios.Find("scenario.schema"));
    }

    [Fact]
    public void All_LoadAsPlans_AndTheGateOneHasThresholds()
    {
        foreach (var builtIn in BuiltInScenarios.All)
        {
            var plan = new ScenarioSource(builtIn.DisplayName, builtIn).LoadPlan();
            Assert.NotEmpty(plan.Scenarios);
        }

        var gate = BuiltInScenarios.Find("gate")!;
        var gatePlan = new ScenarioSource(gate.DisplayName, gate).LoadPlan();
        var planned = gatePlan.Scenarios.Select(s => new PlannedScenario(
            s.Name, s.Transport, s.DescribeLoad(), s.Feed.RatePerSecond, s.Feed.PayloadBytes, s.WarmUp.TotalSeconds)).ToList();
        Assert.NotEmpty(new ScenarioSource(gate.DisplayName, gate).LoadThresholds(planned));
    }

    [Fact]
    public void Schema_IsTheRepositorySchemaFile_ByteForByte()
    {
        Assert.Equal(File.ReadAllBytes(RepositoryScenarios.SchemaFile), BuiltInScenarios.Schema());
    }

    [Fact]
    public void FromFile_ReadsDescriptionAndRequires_WithCommentsAndTrailingCommas()
    {
        var scenario = BuiltInScenario.FromFile("behind_nginx", """
            {
              // a comment, as scenario files allow
              "$schema": "./scenario.schema.json",
              "description": "Through a proxy.",
              "requires": ["nginx", "nats",],
              "scenarios": [
                { "name": "sse_1", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 16 },
                  "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] }
              ]
            }
            """u8.ToArray());

        Assert.Equal("Through a proxy.", scenario.Description);
        Assert.Equal(["nginx", "nats"], scenario.Requires);
        Assert.Equal("built-in:behind_nginx.json", scenario.DisplayName);
    }

    [Fact]
    public void FromFile_WithoutDescriptionOrRequires_GivesEmpty()
    {
        var scenario = BuiltInScenario.FromFile("bare", """
            {
              "scenarios": [
                { "name": "sse_1", "transport": "sse", "feed": { "ratePerSecond": 1, "payloadBytes": 16 },
                  "load": [ { "model": "KeepConstant", "copies": 1, "during": "1s" } ] }
              ]
            }
            """u8.ToArray());

        Assert.Equal("", scenario.Description);
        Assert.Empty(scenario.Requires);
    }

    [Fact]
    public void FromFile_ThatDoesNotLoad_SaysSoInItsDescription_InsteadOfFailing()
    {
        var scenario = BuiltInScenario.FromFile("broken", """{ "scenarios": [] }"""u8.ToArray());

        Assert.StartsWith("(does not load: built-in:broken.json", scenario.Description);
        Assert.Empty(scenario.Requires);
    }
}
