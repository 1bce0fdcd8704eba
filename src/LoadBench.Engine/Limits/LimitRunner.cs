using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Results;

namespace LoadBench.Engine.Limits;

/// <summary>
/// <c>loadbench limits</c>: runs a limit search (<see cref="LimitSearcher"/>) for every scenario of a plan that
/// has a <c>search</c> block, one transport at a time, against one target, and returns a results document whose
/// <see cref="ResultsDocument.Limits"/> holds each search and whose scenarios are the steps.
/// </summary>
public static class LimitRunner
{
    /// <summary>Scenarios of the plan that carry a search.</summary>
    public static int SearchCount(ScenarioPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Scenarios.Count(s => s.Search is not null);
    }

    /// <summary>The longest the searches can take: every search at its most steps, each step its warm-up, its
    /// measured length, the longest drain and <paramref name="overheadPerStep"/> (settings, full collections,
    /// stopping clients).</summary>
    public static TimeSpan WorstCase(ScenarioPlan plan, RunOptions options, TimeSpan overheadPerStep)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var total = TimeSpan.Zero;
        foreach (var scenario in plan.Scenarios)
        {
            if (scenario.Search is { } search)
            {
                total += search.MaxSteps * (scenario.WarmUp + search.StepLength + options.DrainTimeout + overheadPerStep);
            }
        }

        return total;
    }

    /// <summary>Starts the target (or uses <see cref="RunOptions.TargetUrl"/>) and runs every search.
    /// Cancellation stops early and still returns the steps done, marked incomplete.</summary>
    /// <param name="pinnedEngine">The engine runs on its own cores (<c>--pin-cpus</c>): labels then judge it
    /// against those cores.</param>
    public static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, RunOptions options, bool pinnedEngine, IProgress<RunProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        if (SearchCount(plan) == 0)
        {
            throw new ArgumentException($"no scenario of '{plan.Name}' has a \"search\" block (scenarios/README.md, \"Limit search\")", nameof(plan));
        }

        var machine = LimitMachine.ThisProcess(pinnedEngine);
        if (options.TargetUrl is { } url)
        {
            using var api = new TargetHttpApi(TargetAddress.Check(url.ToString(), options.AllowNonLoopback), options.ControlToken);
            return await RunAsync(plan, api, false, options, machine, progress, cancellationToken, processExit: null);
        }

        if (options.TargetProcess is not { } process)
        {
            throw new ArgumentException("Give either RunOptions.TargetUrl (a running target) or RunOptions.TargetProcess (start one).", nameof(options));
        }

        await using var target = await TargetProcess.StartAsync(process, cancellationToken);
        using var started = new TargetHttpApi(target.BaseUri);
        try
        {
            return await RunAsync(plan, started, true, options, machine, progress, cancellationToken, () => target.ExitDescription);
        }
        catch (HttpRequestException ex) when (target.HasExited)
        {
            throw new TargetStartException($"The target process died during the search. Its last output:{Environment.NewLine}{target.OutputTail}", ex);
        }
    }

    /// <summary>Runs every search against <paramref name="target"/>. A cancellation or a failed target
    /// (<see cref="TargetWatchdog"/>) ends it early: the steps done, the stopped one's figures so far, and the
    /// document marked incomplete, naming the searches never started.</summary>
    internal static async Task<ResultsDocument> RunAsync(
        ScenarioPlan plan, ITargetApi target, bool targetStartedByEngine, RunOptions options, LimitMachine machine,
        IProgress<RunProgress>? progress, CancellationToken cancellationToken, Func<string?>? processExit = null)
    {
        var time = options.TimeProvider;
        var startedAt = time.GetUtcNow();
        var original = await target.GetInfoAsync(cancellationToken);
        using var stop = new RunStop(cancellationToken);
        var executor = new ScenarioExecutor(target, options, stop);
        var searched = plan.Scenarios.Where(s => s.Search is not null).ToList();
        var stepNumber = 0;
        var totalSteps = searched.Sum(s => s.Search!.MaxSteps);
        var searcher = new LimitSearcher(async (scenario, ct) =>
        {
            var result = await executor.RunAsync(scenario, stepNumber++, totalSteps, progress, ct);
            return (result, executor.LastEngineCores, executor.LastMachineBusy);
        }, machine);
        var steps = new List<ScenarioResult>();
        var limits = new List<LimitSearchResult>();
        var where = "in the target warm-up";
        await using (TargetWatchdog.Start(target, stop, processExit, options))
        {
            try
            {
                await TargetWarmUp.RunAsync(plan, executor, options.TargetWarmUp, progress, stop.Token);
                foreach (var scenario in searched)
                {
                    where = $"in the search of '{scenario.Name}'";
                    limits.Add(await searcher.RunAsync(scenario, steps, stop.Token));
                    if (stop.Stopping)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.Stopping)
            {
                // Stopped in the target warm-up: no step ran; the document says so.
            }
            finally
            {
                if (!targetStartedByEngine && stop.TargetFailure is null)
                {
                    await ScenarioRunner.RestoreAsync(target, original, time);
                }
            }
        }

        var notStarted = searched.Skip(limits.Count).Select(s => s.Name).ToList();
        return new ResultsDocument
        {
            Environment = RunEnvironmentInfo.Create(plan, target.BaseUri, targetStartedByEngine, startedAt, time.GetUtcNow()),
            Scenarios = steps,
            Limits = limits,
            Incomplete = stop.Stopping && (notStarted.Count > 0 || limits.Any(l => !l.Complete))
                ? RunInterruption.Mark(stop, where, steps.Count(s => s.Incomplete is null), notStarted, time)
                : null,
        };
    }
}
