using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.TestSupport;

/// <summary>The fake-clock driver the executor tests stand on: timers fire at their fake time, and the clock
/// stands still while the code it drives works on the thread pool, however long that takes in real time.</summary>
[Collection(FakeClockGroup.Name)]
public sealed class FakeClockTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();

    private TimeSpan Since(long start) => _time.GetElapsedTime(start);

    [Fact]
    public async Task RunAsync_Delays_EndAtTheirFakeTime()
    {
        var start = _time.GetTimestamp();

        var ended = await _time.RunAsync(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), _time);
            var first = Since(start);
            await Task.Delay(TimeSpan.FromSeconds(3), _time);
            return (first, Since(start));
        }, Limit);

        Assert.Equal((TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(3250)), ended);
    }

    [Fact]
    public async Task RunAsync_WorkOnThePool_HoldsTheClockUntilItIsDone()
    {
        var start = _time.GetTimestamp();

        var seen = await _time.RunAsync(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time);
            // Real time passes in each hand-over to another pool thread; fake time must not.
            await Task.Run(() => Thread.Sleep(20));
            var afterRun = Since(start);
            await Task.Yield();
            Thread.Sleep(20);
            var afterYield = Since(start);
            using var stop = new CancellationTokenSource();
            var stopped = Task.Run(async () =>
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                Thread.Sleep(20);
            });
            await stop.CancelAsync();
            await stopped.WaitAsync(TimeSpan.FromSeconds(5), _time);
            return (afterRun, afterYield, Since(start));
        }, Limit);

        var ten = TimeSpan.FromMilliseconds(10);
        Assert.Equal((ten, ten, ten), seen);
    }

    [Fact]
    public async Task RunAsync_CodeThatDoesNotEnd_FailsAtTheLimit()
    {
        var start = _time.GetTimestamp();

        await Assert.ThrowsAsync<TimeoutException>(() =>
            _time.RunAsync(() => Task.Delay(TimeSpan.FromHours(1), _time).ContinueWith(_ => 0, TaskScheduler.Default), TimeSpan.FromMilliseconds(300)));

        Assert.Equal(TimeSpan.FromMilliseconds(300), Since(start));
    }
}
