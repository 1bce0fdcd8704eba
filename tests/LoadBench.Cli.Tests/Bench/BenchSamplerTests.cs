using System.Diagnostics;
using LoadBench.Cli.Tests.TestSupport;
using LoadBench.Contracts;

namespace LoadBench.Cli.Tests.Bench;

/// <summary>
/// The benchmark scripts' samplers read the target's <c>/stats</c> with bash's own regex (<c>scenarios/bench/lib.sh</c>),
/// not a JSON parser, so that no process starts beside the load they measure. A regex reads a format, not a document:
/// these hold it to a real target's answer, so a change of the serializer's output shows here, not as "?" in a figure.
/// </summary>
public sealed class BenchSamplerTests
{
    [Fact]
    public async Task LibSh_ReadsOpenConnectionsEventsSentAndRejections_AsTheStatsDocumentSays()
    {
        await using var target = await RunningTarget.StartAsync();
        using var sse = new HttpClient { BaseAddress = target.BaseAddress };
        using var stream = await sse.GetAsync(FeedRoutes.Sse, HttpCompletionOption.ResponseHeadersRead);
        stream.EnsureSuccessStatusCode();
        await WaitForAsync(async () => (await target.StatsAsync()).Transports[TransportIds.Sse].OpenConnections == 1);
        target.Publish(3);
        await WaitForAsync(async () => (await target.StatsAsync()).Transports[TransportIds.Sse].EventsSent == 3);

        var json = await target.Http.GetStringAsync("/stats");
        var expected = await target.StatsAsync();

        var read = await BashAsync(json,
            "source scenarios/bench/lib.sh; for t in sse ws poll longpoll; do echo \"$(bench_open_connections \"$1\" $t) $(bench_events_sent \"$1\" $t)\"; done; bench_rejected_connections \"$1\"");

        Assert.Equal(
            [.. new[] { TransportIds.Sse, TransportIds.WebSocket, TransportIds.Polling, TransportIds.LongPolling }
                .Select(t => $"{expected.Transports[t].OpenConnections} {expected.Transports[t].EventsSent}"),
             expected.RejectedConnections.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            read);
        Assert.StartsWith("1 3", read[0], StringComparison.Ordinal); // the stream and its three events, not zeros by default
    }

    [Fact]
    public async Task LibSh_ATransportTheAnswerDoesNotHave_ReadsAsAQuestionMark()
    {
        var read = await BashAsync("{}", "source scenarios/bench/lib.sh; bench_open_connections \"$1\" sse; bench_events_sent \"$1\" ws; bench_rejected_connections \"$1\"");

        Assert.Equal(["?", "?", "?"], read);
    }

    private static async Task<string[]> BashAsync(string argument, string script)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = LoadBenchProcess.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-c", script, "bash", argument })
        {
            start.ArgumentList.Add(arg);
        }

        using var bash = Process.Start(start)!;
        var output = await bash.StandardOutput.ReadToEndAsync();
        var error = await bash.StandardError.ReadToEndAsync();
        await bash.WaitForExitAsync();
        Assert.True(bash.ExitCode == 0, $"bash exited {bash.ExitCode}: {error}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the target never got there");
            await Task.Delay(50);
        }
    }
}
