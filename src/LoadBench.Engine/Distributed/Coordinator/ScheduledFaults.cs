using LoadBench.Engine.Metrics;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>
/// A scenario's faults being posted (<see cref="FaultInjector.RunAsync"/>) while a coordinated scenario runs. Stopped
/// at the window's end, or when the scenario fails on the way: no fault is posted to the target after its scenario.
/// </summary>
internal sealed class ScheduledFaults : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _posting;

    private ScheduledFaults(CancellationTokenSource stop, Task posting) => (_stop, _posting) = (stop, posting);

    public static ScheduledFaults Start(
        IReadOnlyList<ScenarioFault> faults, ITargetApi target, long phaseStart, TimeProvider time, ClientCounters errors,
        CancellationToken cancellationToken)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        return new ScheduledFaults(stop, FaultInjector.RunAsync(faults, target, phaseStart, time, errors, stop.Token));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _posting;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // A fault planned after the window's actual end: not posted.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
