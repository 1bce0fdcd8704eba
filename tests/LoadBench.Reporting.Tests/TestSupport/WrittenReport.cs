namespace LoadBench.Reporting.Tests.TestSupport;

/// <summary>The sample results written once into a temp folder, shared by the tests that read the files.</summary>
public sealed class WrittenReport : IDisposable
{
    public WrittenReport()
    {
        Directory = Path.Combine(Path.GetTempPath(), "loadbench-report-" + Guid.NewGuid().ToString("N"));
        Results = SampleResults.Create();
        Files = ReportWriter.WriteAll(Results, Directory, Options);
    }

    public static ReportOptions Options { get; } = new() { ChartWidth = 900, ChartHeight = 500 };

    public string Directory { get; }

    public Results.ResultsDocument Results { get; }

    public ReportFiles Files { get; }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("LOADBENCH_KEEP_REPORT") is null)
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
