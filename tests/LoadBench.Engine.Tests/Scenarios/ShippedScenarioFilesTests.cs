using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Scenarios;

public sealed class ShippedScenarioFilesTests
{
    public static TheoryData<string> Files() => new(ShippedScenarios.All());

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_ShippedScenarioFile_IsValid(string path)
    {
        var plan = ScenarioFile.Load(path);

        Assert.NotEmpty(plan.Scenarios);
        Assert.All(plan.Scenarios, s => Assert.Empty(ScenarioValidator.Validate(s)));
    }
}
