using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Tests.Scenarios;

public sealed class ShippedScenarioFilesTests
{
    public static TheoryData<string> Files()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "LoadBench.sln")))
        {
            directory = directory.Parent;
        }

        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(directory!.FullName, "scenarios"), "*.json"))
        {
            data.Add(file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Load_ShippedScenarioFile_IsValid(string path)
    {
        var plan = ScenarioFile.Load(path);

        Assert.NotEmpty(plan.Scenarios);
        Assert.All(plan.Scenarios, s => Assert.Empty(ScenarioValidator.Validate(s)));
    }
}
