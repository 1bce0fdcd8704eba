using LoadBench.Contracts;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Running;

/// <summary>
/// Runs a whole plan — every scenario in order — against one target and returns the results document.
/// The CLI's entry point:
/// <code>
/// var plan = ScenarioFile.Load("scenarios/quick.json");
/// var options = new RunOptions { TargetProcess = new("dotnet", ["path/to/LoadBench.Target.dll"]) };
/// var results = await ScenarioRunner.RunAsync(plan, options, progress, cancellationToken);
/// await ResultsFile.WriteAsync("results/…/results.json", results, cancellationToken);
/// </code>
/// </summary>
public static class ScenarioRunner
{
    public static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, RunOptions options, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);

        if (options.ControlUrl is { } control)
        {
            var feed = TargetAddress.Check(options.TargetUrl?.ToString() ?? throw new ArgumentException("A control URL needs the feed URL (the proxy) as the target URL.", nameof(options)), options.AllowNonLoopback);
            using var scaledOut = new ScaledOutTargetApi(feed, TargetAddress.Check(control.ToString(), options.AllowNonLoopback),
                options.StatsUrls.Select(u => TargetAddress.Check(u.ToString(), options.AllowNonLoopback)), options.StatsPids, options.ControlToken);
            return await RunAsync(plan, scaledOut, targetStartedByEngine: false, options, progress, cancellationToken);
        }

        if (options.TargetUrl is { } url)
        {
            var checkedUrl = TargetAddress.Check(url.ToString(), options.AllowNonLoopback);
            // A running target's fingerprint comes from the person, never from the target itself.
            options = options with { Endpoints = await ClientEndpoints.ForPlanAsync(plan, checkedUrl, options.TlsFingerprint, trustPublished: false, cancellationToken) };

            using var api = new TargetHttpApi(checkedUrl, options.ControlToken);
            return await RunAsync(plan, api, targetStartedByEngine: false, options, progress, cancellationToken, processExit: null);
        }

        if (options.TargetProcess is not { } process)
        {
            throw new ArgumentException("Give either RunOptions.TargetUrl (a running target) or RunOptions.TargetProcess (start one).", nameof(options));
        }

        await using var target = await TargetProcess.StartAsync(process, cancellationToken);
        using var started = new TargetHttpApi(target.BaseUri);
        try
        {
            // Our own child, asked over loopback: its published fingerprint is the one to pin.
            options = options with { Endpoints = await ClientEndpoints.ForPlanAsync(plan, target.BaseUri, options.TlsFingerprint, trustPublished: true, cancellationToken) };

            return await RunAsync(plan, started, targetStartedByEngine: true, options, progress, cancellationToken, () => target.ExitDescription);
        }
        catch (HttpRequestException ex) when (target.HasExited)
        {
            throw new TargetStartException($"The target process died during the run. Its last output:{Environment.NewLine}{target.OutputTail}", ex);
        }
    }

    /// <summary>
    /// Runs the plan against a target reached through <paramref name="target"/> (tests pass a fake). When the
    /// caller cancels, or the target dies or stops answering (<see cref="TargetWatchdog"/>), the running scenario
    /// stops, and the document holds the scenarios finished so far plus the stopped one's figures so far, with an
    /// incomplete mark on the document (naming the scenarios not started) and on the stopped scenario.
    /// </summary>
    /// <param name="processExit">For a target the engine started: how it exited, or null while it runs.</param>
    internal static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, ITargetApi target, bool targetStartedByEngine, RunOptions options,
        IProgress<RunProgress>? progress, CancellationToken cancellationToken, Func<string?>? processExit = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Repeat, nameof(options));

        var startedAt = options.TimeProvider.GetUtcNow();
        var original = await target.GetInfoAsync(cancellationToken);
        using var stop = new RunStop(cancellationToken);
        var executor = new ScenarioExecutor(target, options, stop);
        var results = new List<ScenarioResult>();
        IncompleteMark? incomplete = null;
        await using (TargetWatchdog.Start(target, stop, processExit, options))
        {
            try
            {
                await TargetWarmUp.RunAsync(plan, executor, options.TargetWarmUp, progress, stop.Token);
                if (options.Repeat > 1)
                {
                    var trials = await RepeatedTrials.RunAsync(plan, executor, options.Repeat, progress, stop, stop.Token);
                    results.AddRange(trials.Scenarios);
                    incomplete = trials.Incomplete;
                }
                else
                {
                    incomplete = await RunOnceAsync(plan, executor, results, progress, stop, options.TimeProvider);
                }
            }
            catch (OperationCanceledException) when (stop.Stopping)
            {
                // Stopped in the target warm-up: no scenario of the plan started (the warm-up's figures are never kept).
                incomplete = RunInterruption.Mark(stop, "in the target warm-up", 0, [.. plan.Scenarios.Select(s => s.Name)], options.TimeProvider);
            }
            finally
            {
                if (!targetStartedByEngine && stop.TargetFailure is null)
                {
                    // A running target belongs to someone: leave its publisher as we found it.
                    await RestoreAsync(target, original, options.TimeProvider);
                }
            }
        }

        return new ResultsDocument
        {
            Environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, options.TimeProvider.GetUtcNow()) with
            {
                ControlUrl = options.ControlUrl?.ToString(),
            },
            Scenarios = results,
            Incomplete = incomplete,
        };
    }

    /// <summary>Each scenario once, in the plan's order; on a stop, keeps the stopped one's figures and says what never ran.</summary>
    private static async Task<IncompleteMark?> RunOnceAsync(
        ScenarioPlan plan, ScenarioExecutor executor, List<ScenarioResult> results, IProgress<RunProgress>? progress, RunStop stop,
        TimeProvider time)
    {
        for (var i = 0; i < plan.Scenarios.Count; i++)
        {
            try
            {
                results.Add(await executor.RunAsync(plan.Scenarios[i], i, plan.Scenarios.Count, progress, stop.Token));
            }
            catch (ScenarioInterruptedException e) when (stop.Stopping)
            {
                if (e.Partial is { } partial)
                {
                    results.Add(partial);
                }

                return RunInterruption.Mark(stop, RunInterruption.Where(e), i, [.. plan.Scenarios.Skip(i + 1).Select(s => s.Name)], time);
            }

            if (stop.Stopping)
            {
                // The stop came between two scenarios (in the last one's closing steps): the next ones never start.
                return i + 1 < plan.Scenarios.Count
                    ? RunInterruption.Mark(stop, "between scenarios", i + 1, [.. plan.Scenarios.Skip(i + 1).Select(s => s.Name)], time)
                    : null;
            }
        }

        return null;
    }

    /// <summary>Puts a running target's publisher back as it was found (best effort).</summary>
    internal static async Task RestoreAsync(ITargetApi target, FeedInfo original, TimeProvider time)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
            await target.PutSettingsAsync(new FeedSettings(original.RatePerSecond, original.PayloadBytes), timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or InvalidOperationException)
        {
            // Best effort: the run's own outcome matters more than restoring a setting.
        }
    }
}
