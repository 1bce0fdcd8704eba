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
                options.StatsUrls.Select(u => TargetAddress.Check(u.ToString(), options.AllowNonLoopback)), options.StatsPids);
            return await RunAsync(plan, scaledOut, targetStartedByEngine: false, options, progress, cancellationToken);
        }

        if (options.TargetUrl is { } url)
        {
            var checkedUrl = TargetAddress.Check(url.ToString(), options.AllowNonLoopback);
            using var api = new TargetHttpApi(checkedUrl);
            return await RunAsync(plan, api, targetStartedByEngine: false, options, progress, cancellationToken);
        }

        if (options.TargetProcess is not { } process)
        {
            throw new ArgumentException("Give either RunOptions.TargetUrl (a running target) or RunOptions.TargetProcess (start one).", nameof(options));
        }

        await using var target = await TargetProcess.StartAsync(process, cancellationToken);
        using var started = new TargetHttpApi(target.BaseUri);
        try
        {
            return await RunAsync(plan, started, targetStartedByEngine: true, options, progress, cancellationToken);
        }
        catch (HttpRequestException ex) when (target.HasExited)
        {
            throw new TargetStartException($"The target process died during the run. Its last output:{Environment.NewLine}{target.OutputTail}", ex);
        }
    }

    /// <summary>Runs the plan against a target reached through <paramref name="target"/> (tests pass a fake).</summary>
    internal static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, ITargetApi target, bool targetStartedByEngine, RunOptions options,
        IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Repeat, nameof(options));

        var startedAt = options.TimeProvider.GetUtcNow();
        var original = await target.GetInfoAsync(cancellationToken);
        var executor = new ScenarioExecutor(target, options);
        var results = new List<ScenarioResult>();
        try
        {
            await TargetWarmUp.RunAsync(plan, executor, options.TargetWarmUp, progress, cancellationToken);
            if (options.Repeat > 1)
            {
                results.AddRange(await RepeatedTrials.RunAsync(plan, executor, options.Repeat, progress, cancellationToken));
            }
            else
            {
                for (var i = 0; i < plan.Scenarios.Count; i++)
                {
                    results.Add(await executor.RunAsync(plan.Scenarios[i], i, plan.Scenarios.Count, progress, cancellationToken));
                }
            }
        }
        finally
        {
            if (!targetStartedByEngine)
            {
                // A running target belongs to someone: leave its publisher as we found it.
                await RestoreAsync(target, original, options.TimeProvider);
            }
        }

        return new ResultsDocument
        {
            Environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, options.TimeProvider.GetUtcNow()) with
            {
                ControlUrl = options.ControlUrl?.ToString(),
            },
            Scenarios = results,
        };
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
