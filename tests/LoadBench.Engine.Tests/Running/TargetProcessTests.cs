using System.Net.Http.Json;
using LoadBench.Contracts;
using LoadBench.Engine.Running;

namespace LoadBench.Engine.Tests.Running;

public sealed class TargetProcessTests
{
    /// <summary>The target's dll, copied next to the tests by the project reference.</summary>
    internal static TargetProcessOptions RealTarget() =>
        new("dotnet", [Path.Combine(AppContext.BaseDirectory, "LoadBench.Target.dll"), "--rate", "0"]) { ReadyTimeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task StartAsync_RealTarget_AnswersOnLoopbackAndStopsOnDispose()
    {
        var target = await TargetProcess.StartAsync(RealTarget(), CancellationToken.None);
        int pid;
        try
        {
            pid = target.ProcessId;
            Assert.Equal("127.0.0.1", target.BaseUri.Host);
            using var http = new HttpClient { BaseAddress = target.BaseUri };
            var info = await http.GetFromJsonAsync(FeedRoutes.Info, ContractsJson.Default.FeedInfo);
            Assert.NotNull(info);
        }
        finally
        {
            await target.DisposeAsync();
        }

        Assert.True(target.HasExited || !ProcessExists(pid));
    }

    [Fact]
    public async Task StartAsync_ProcessThatDies_ReportsExitCodeAndItsOutput()
    {
        var options = new TargetProcessOptions("sh", ["-c", "echo 'cannot bind: boom' >&2; exit 3"]);

        var ex = await Assert.ThrowsAsync<TargetStartException>(() => TargetProcess.StartAsync(options, CancellationToken.None));

        Assert.Contains("exited with code 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cannot bind: boom", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_Environment_IsSetInTheTargetsProcess()
    {
        // The variable is echoed by a target that then dies, so its output (in the exception) shows what it saw.
        var options = new TargetProcessOptions("sh", ["-c", "echo \"seen: $LOADBENCH_TEST_SETTING\" >&2; exit 3"])
        {
            Environment = new Dictionary<string, string> { ["LOADBENCH_TEST_SETTING"] = "server-gc" },
        };

        var e = await Assert.ThrowsAsync<TargetStartException>(() => TargetProcess.StartAsync(options, CancellationToken.None));

        Assert.Contains("seen: server-gc", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ProcessThatNeverAnswers_TimesOutAndIsStopped()
    {
        var options = new TargetProcessOptions("sh", ["-c", "sleep 30"]) { ReadyTimeout = TimeSpan.FromSeconds(1), StopTimeout = TimeSpan.FromSeconds(2) };

        var ex = await Assert.ThrowsAsync<TargetStartException>(() => TargetProcess.StartAsync(options, CancellationToken.None));

        Assert.Contains("did not answer GET /feed/info within 1 s", ex.Message, StringComparison.Ordinal);
    }

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
