namespace LoadBench.Target.Feed;

/// <summary>
/// Publishes events at the configured rate. It keeps a schedule (event n is due at start + n / rate) rather
/// than sleeping 1/rate between events, so timer coarseness and publish cost do not slow the rate down: each
/// wake-up publishes every event that is due. A stall longer than a second is not caught up in one burst —
/// the schedule restarts, because a burst would measure the backlog, not the transports. A pause (the pause
/// fault) publishes nothing until it ends, then starts a new schedule: the paused events are not made up.
/// </summary>
internal sealed partial class FeedPublisher(FeedLog log, TimeProvider time, ILogger<FeedPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumSleep = TimeSpan.FromMilliseconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await PublishUntilSettingsChangeAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PublishUntilSettingsChangeAsync(CancellationToken stoppingToken)
    {
        var settingsChanged = log.SettingsChanged;
        var pause = log.PublisherPauseRemaining();
        if (pause > TimeSpan.Zero)
        {
            await Task.WhenAny(Task.Delay(pause, time, stoppingToken), settingsChanged);
            stoppingToken.ThrowIfCancellationRequested();
            return;
        }

        var rate = log.Settings.RatePerSecond;
        if (rate <= 0)
        {
            await settingsChanged.WaitAsync(stoppingToken);
            return;
        }

        var start = time.GetTimestamp();
        long published = 0;
        while (!settingsChanged.IsCompleted)
        {
            var due = (long)(time.GetElapsedTime(start).TotalSeconds * rate);
            if (due - published > Math.Max(rate, 1))
            {
                LogBehindSchedule(logger, due - published);
                start = time.GetTimestamp();
                published = 0;
                due = 1;
            }

            for (; published < due; published++)
            {
                if (!log.TryPublishScheduled())
                {
                    // Paused since the look above: the pause's signal ends this schedule.
                    break;
                }
            }

            var nextDue = TimeSpan.FromSeconds((published + 1) / rate) - time.GetElapsedTime(start);
            var sleep = nextDue > MinimumSleep ? nextDue : MinimumSleep;
            await Task.WhenAny(Task.Delay(sleep, time, stoppingToken), settingsChanged);
            stoppingToken.ThrowIfCancellationRequested();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publisher fell {Missed} events behind schedule (the process stalled); restarting the schedule instead of bursting.")]
    private static partial void LogBehindSchedule(ILogger logger, long missed);
}
