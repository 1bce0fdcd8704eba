using LoadBench.Engine.Running;

namespace LoadBench.Engine.Tests.Running;

public sealed class FdBudgetTests
{
    private const string Limits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            20000                20000                files
        Max locked memory         8388608              8388608              bytes
        """;

    [Fact]
    public void ParseSoftLimit_ProcLimitsText_ReadsMaxOpenFiles()
    {
        Assert.Equal(20000, FdBudget.ParseSoftLimit(Limits));
        Assert.Null(FdBudget.ParseSoftLimit("Max open files            unlimited            unlimited            files"));
    }

    [Fact]
    public void Available_SubtractsOpenFilesAndTheReserve()
    {
        Assert.Equal(20000 - 150 - 64, new FdBudget(64, () => (20000, 150)).Available());
        Assert.Equal(0, new FdBudget(64, () => (100, 90)).Available());
        Assert.Equal(int.MaxValue, new FdBudget(64, () => null).Available());
    }

    [Fact]
    public void Available_ThisProcess_MatchesProcSelf()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var limit = FdBudget.ParseSoftLimit(File.ReadAllText("/proc/self/limits"))!.Value;
        var open = Directory.GetFileSystemEntries("/proc/self/fd").Length;
        var available = new FdBudget(reserve: 0).Available();

        // Files open and close while the test runs (other tests share the process): allow a small drift.
        Assert.InRange(available, limit - open - 50, limit - open + 50);
    }
}
