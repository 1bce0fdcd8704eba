using LoadBench.Contracts;

namespace LoadBench.Engine.Running;

/// <summary>
/// Samples the target's <c>/stats</c> process section once per interval during the measured phase, for the
/// peak working set (CPU time is a counter, so its first and last readings suffice). A failed sample is
/// skipped: the peak is a maximum over the samples that arrived, and the count of failures is kept.
/// </summary>
internal sealed class ServerCostSampler(ITargetApi target, TimeSpan interval, TimeProvider time) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _peakWorkingSet;

    public int FailedSamples { get; private set; }

    public long PeakWorkingSet => Interlocked.Read(ref _peakWorkingSet);

    public void Observe(ProcessStats process)
    {
        ArgumentNullException.ThrowIfNull(process);
        long current;
        while (process.WorkingSetBytes > (current = Interlocked.Read(ref _peakWorkingSet))
               && Interlocked.CompareExchange(ref _peakWorkingSet, process.WorkingSetBytes, current) != current)
        {
        }
    }

    public void Start() => _loop = LoopAsync(_stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, time, cancellationToken);
                try
                {
                    Observe((await target.GetStatsAsync(cancellationToken)).Process);
                }
                catch (HttpRequestException)
                {
                    FailedSamples++;
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    FailedSamples++;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
