using LoadBench.Target;
using LoadBench.Target.Hosting;

try
{
    await TargetApp.Build(args).RunAsync();
    return 0;
}
catch (TargetConfigurationException e)
{
    await Console.Error.WriteLineAsync($"LoadBench.Target: {e.Message}");
    return 2;
}

/// <summary>The entry point, visible to WebApplicationFactory-based tests.</summary>
public partial class Program;
