using LoadBench.Contracts;
using LoadBench.Engine.Running;

namespace LoadBench.Engine.Tests.Running;

/// <summary>The watchdog stops a run whose target died or went silent, and never one whose target answers.</summary>
public sealed class TargetWatchdogTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static readonly RunOptions Options = new()
    {
        TargetCheckInterval = TimeSpan.FromMilliseconds(20),
        TargetSilenceLimit = TimeSpan.FromMilliseconds(300),
    };

    [Fact]
    public async Task Watchdog_TargetRefusesConnections_StopsTheRunNamingTheTargetAndTheError()
    {
        using var stop = new RunStop(CancellationToken.None);
        var target = new ScriptedTarget(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:9)"));

        await using (TargetWatchdog.Start(target, stop, processExit: null, Options))
        {
            await WaitForStopAsync(stop);
        }

        Assert.False(stop.Interrupted);
        Assert.Contains("the target at http://127.0.0.1:9/ stopped answering", stop.TargetFailure, StringComparison.Ordinal);
        Assert.Contains("Connection refused (127.0.0.1:9)", stop.TargetFailure, StringComparison.Ordinal);
        Assert.StartsWith("the target failed: ", stop.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watchdog_TargetHangs_StopsTheRun()
    {
        using var stop = new RunStop(CancellationToken.None);
        var target = new ScriptedTarget(async cancellationToken =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return null!;
        });

        await using (TargetWatchdog.Start(target, stop, processExit: null, Options))
        {
            await WaitForStopAsync(stop);
        }

        Assert.Contains("stopped answering", stop.TargetFailure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watchdog_ProcessExited_StopsTheRunWithTheProcessDescription()
    {
        using var stop = new RunStop(CancellationToken.None);
        var target = new ScriptedTarget(_ => Task.FromResult(new FeedInfo(0, 1, 0, 0)));

        await using (TargetWatchdog.Start(target, stop, () => "the target process (pid 42) exited with code 137", Options))
        {
            await WaitForStopAsync(stop);
        }

        Assert.Equal("the target process (pid 42) exited with code 137", stop.TargetFailure);
    }

    [Fact]
    public async Task Watchdog_TargetAnswers_NeverStopsTheRun_AndTheCallersCancelIsAnInterruption()
    {
        using var caller = new CancellationTokenSource();
        using var stop = new RunStop(caller.Token);
        var target = new ScriptedTarget(_ => Task.FromResult(new FeedInfo(0, 1, 0, 0)));

        await using (TargetWatchdog.Start(target, stop, processExit: null, Options))
        {
            // Many times the silence limit, with checks answered throughout.
            while (target.Checks < 30)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }

            Assert.False(stop.Stopping);
            await caller.CancelAsync();
        }

        Assert.True(stop.Interrupted);
        Assert.Null(stop.TargetFailure);
        Assert.Equal(RunStop.InterruptedCause, stop.Cause);
    }

    private static async Task WaitForStopAsync(RunStop stop)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = stop.Token.Register(() => stopped.TrySetResult());
        await stopped.Task.WaitAsync(Bound);
    }

    /// <summary>A target whose <c>GET /feed/info</c> does what the test says; only the watchdog calls it.</summary>
    private sealed class ScriptedTarget(Func<CancellationToken, Task<FeedInfo>> info) : ITargetApi
    {
        private int _checks;

        public int Checks => Volatile.Read(ref _checks);

        public Uri BaseUri { get; } = new("http://127.0.0.1:9/");

        public Task<FeedInfo> GetInfoAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _checks);
            return info(cancellationToken);
        }

        public Task<FeedInfo> PutSettingsAsync(FeedSettings settings, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StatsSnapshot> GetStatsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StatsSnapshot> GetStatsAfterFullCollectionAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<FaultRecord> PostFaultAsync(FaultRequest fault, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<FaultRecord>> GetFaultsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
