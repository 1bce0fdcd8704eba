using LoadBench.Cli.Tests.TestSupport;

namespace LoadBench.Cli.Tests;

/// <summary>
/// `loadbench run` gives a plan that only streams, at few deliveries per second, one epoll thread, and any other plan
/// one per core (EngineProcess):
/// counted as the runtime's ".NET Sockets" threads of the running process, so the test reads what the runtime did,
/// not what the code meant to set. Linux only (/proc), as every load test here. The engine's own epoll loops (raw
/// streams and polls, "LoadBench epoll loop N") follow the same count.
/// </summary>
public sealed class SocketThreadsEndToEndTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-threads-").FullName;

    [Theory]
    [InlineData("sse", 1)]
    [InlineData("ws", 1)]
    [InlineData("poll", 0)] // 0: one per core
    public async Task Run_EpollThreads_OnePerStreamingPlan_OnePerCoreOtherwise(string transport, int expected)
    {
        if (expected == 0)
        {
            expected = Environment.ProcessorCount;
        }

        var plan = Path.Combine(_folder, $"{transport}.json");
        await File.WriteAllTextAsync(plan, $$"""
            { "name": "threads_{{transport}}", "defaults": { "warmUp": "1s", "feed": { "ratePerSecond": 20, "payloadBytes": 64 } },
              "scenarios": [ { "name": "probe", "transport": "{{transport}}", "load": [ { "model": "KeepConstant", "copies": 3, "during": "4s" } ] } ] }
            """);
        await using var run = BackgroundLoadBench.Start("run", plan, "--output", Path.Combine(_folder, transport), "--quiet");

        // The socket engine starts with the first socket (the target's health check); its threads live as long as the process.
        var counts = new List<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!run.HasExited && DateTime.UtcNow < deadline)
        {
            if (SocketThreads(run.Id) is var count and > 0)
            {
                counts.Add(count);
                if (counts.Count == 5)
                {
                    break;
                }
            }

            await Task.Delay(500);
        }

        Assert.True(counts.Count == 5, $"saw the socket threads {counts.Count} times before the run ended. Output:\n{run.Output}");
        Assert.All(counts, count => Assert.Equal(expected, count));

        if (transport == "poll")
        {
            return; // whether polls run on the loops depends on their interval (PollExchange.Loop.cs)
        }

        // The streams' loops start with the first client's connection, and live as long as the process.
        var loops = 0;
        while (!run.HasExited && DateTime.UtcNow < deadline && (loops = Threads(run.Id, "LoadBench epoll")) == 0)
        {
            await Task.Delay(200);
        }

        Assert.Equal(expected, loops);
    }

    /// <summary>Threads the runtime names ".NET Sockets" (its epoll threads), or 0 when the process is gone.</summary>
    private static int SocketThreads(int pid) => Threads(pid, ".NET Sockets", exact: true);

    /// <summary>Threads of <paramref name="pid"/> whose name (cut to 15 characters by the kernel) is or begins with
    /// <paramref name="name"/>, or 0 when the process is gone.</summary>
    private static int Threads(int pid, string name, bool exact = false)
    {
        try
        {
            return Directory.GetDirectories($"/proc/{pid}/task")
                .Count(task => File.Exists(Path.Combine(task, "comm"))
                    && File.ReadAllText(Path.Combine(task, "comm")).Trim() is var comm
                    && (exact ? comm == name : comm.StartsWith(name, StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
