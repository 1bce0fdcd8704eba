using System.Globalization;
using LoadBench.Engine.Running;
using LoadBench.Engine.Scenarios;
using LoadBench.Engine.Transports;
using LoadBench.Results;

namespace LoadBench.Engine.Limits;

/// <summary>
/// Finds one scenario's limit: steps the varied level up ×2 from <see cref="LimitSearch.From"/> until the SLO
/// breaks or <see cref="LimitSearch.To"/> is passed, then bisects between the last level that met it and the
/// first that did not until they are within <see cref="LimitSearch.Tolerance"/>. Each step is one bounded run
/// (<paramref name="runStep"/>: the scenario executor, or a stub in tests), which returns the step's result, the
/// engine's CPU in cores over its measured window, and the share of the machine's CPU busy then (null: unknown).
/// </summary>
internal sealed class LimitSearcher(
    Func<Scenario, CancellationToken, Task<(ScenarioResult Result, double EngineCores, double? MachineBusy)>> runStep, LimitMachine machine)
{
    /// <summary>Runs the search. Cancellation ends it early: the result then holds the steps done, marked
    /// incomplete, and <paramref name="stepResults"/> their full results.</summary>
    public async Task<LimitSearchResult> RunAsync(Scenario scenario, List<ScenarioResult> stepResults, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(stepResults);
        var search = scenario.Search ?? throw new ArgumentException($"scenario '{scenario.Name}' has no search block", nameof(scenario));
        var steps = new List<(LimitStep Step, ScenarioResult Result)>();
        double? met = null;
        double? failed = null;
        var complete = true;
        try
        {
            var level = search.From;
            while (true)
            {
                var step = await RunStepAsync(scenario, search, level, cancellationToken);
                steps.Add(step);
                stepResults.Add(step.Result);
                if (!step.Step.MetSlo)
                {
                    failed = level;
                    break;
                }

                met = level;
                if (level >= search.To)
                {
                    break;
                }

                level = Round(search, Math.Min(level * 2, search.To));
            }

            while (met is { } low && failed is { } high && !Close(search, low, high))
            {
                var mid = Round(search, (low + high) / 2);
                if (mid <= low || mid >= high)
                {
                    break;
                }

                var step = await RunStepAsync(scenario, search, mid, cancellationToken);
                steps.Add(step);
                stepResults.Add(step.Result);
                if (step.Step.MetSlo)
                {
                    met = mid;
                }
                else
                {
                    failed = mid;
                }
            }
        }
        catch (ScenarioInterruptedException e) when (cancellationToken.IsCancellationRequested)
        {
            // The stopped step is kept in the results with its figures so far, marked incomplete, but judges nothing.
            if (e.Partial is { } partial)
            {
                stepResults.Add(partial);
            }

            complete = false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            complete = false;
        }

        var decisive = steps.LastOrDefault(s => s.Step.Level == failed);
        var judged = failed is null ? steps.LastOrDefault() : decisive;
        return new LimitSearchResult
        {
            Scenario = scenario.Name,
            Transport = scenario.Transport,
            Vary = search.Vary,
            From = search.From,
            To = search.To,
            Slo = search.Slo.Select(r => r.Text).ToList(),
            Steps = steps.Select(s => s.Step).ToList(),
            HighestMet = met,
            FirstFailed = failed,
            BrokenRule = decisive.Step?.BrokenRule,
            Bottleneck = judged.Step is { } j ? Bottleneck(j) : null,
            Label = judged.Step is not { } k ? "no step ran"
                : failed is null && complete ? string.Create(CultureInfo.InvariantCulture, $"not reached up to {search.To:0.##}")
                : failed is null ? "not reached before the search was stopped"
                : Label(k),
            Complete = complete,
        };
    }

    /// <summary>The most saturated resource at a step: files or connects when they refused clients, else the
    /// busier of target and engine CPU (as a share of the cores each may use).</summary>
    internal string Bottleneck(LimitStep step)
    {
        if (step.FdLimitErrors > 0)
        {
            return "open files";
        }

        if (step.ConnectErrors > 0)
        {
            return "connect errors";
        }

        var engineShare = step.EngineCores / (machine.EngineCores ?? machine.Cores);
        var targetShare = step.TargetCores / (machine.EngineCores is { } e ? Math.Max(1, machine.Cores - e) : machine.Cores);
        return engineShare > targetShare ? "engine CPU" : "target CPU";
    }

    /// <summary>Whose limit it is. Honest attribution: on shared cores a saturated machine limits both.</summary>
    internal string Label(LimitStep step)
    {
        if (machine.Agents is { } agents)
        {
            return AgentsLabel(step, agents);
        }

        if (machine.EngineCores is { } pinned)
        {
            return step.EngineCores >= LimitMachine.Saturated * pinned
                ? "engine-bound: the target's limit is at least this"
                : "the target's limit (engine pinned to its own cores, below 90 % of them)";
        }

        if (step.TargetCores + step.EngineCores >= LimitMachine.Saturated * machine.Cores)
        {
            return "machine-bound (target and engine share the cores)";
        }

        // Target and engine alone did not fill the cores, but the machine was full: something else took them.
        return step.MachineBusy >= LimitMachine.Saturated
            ? "machine-bound (other processes kept the cores at least 90 % busy)"
            : "the target's limit (target and engine together below 90 % of the cores)";
    }

    /// <summary>With load agents the engine's cost is not on this process: the target's machine (this one, on
    /// loopback) decides. The target filling it is the target's limit; the machine full with the target below 90 %
    /// of it means agents (or others) on its cores took them; a quiet machine leaves the limit to the target.</summary>
    private string AgentsLabel(LimitStep step, int agents)
    {
        var from = agents == 1 ? "load from 1 agent" : $"load from {agents} agents";
        if (step.TargetCores >= LimitMachine.Saturated * machine.Cores)
        {
            return $"the target's limit (it used at least 90 % of its machine's cores; {from})";
        }

        return step.MachineBusy switch
        {
            >= LimitMachine.Saturated => $"machine-bound (the target's machine was at least 90 % busy: load agents or other processes share its cores; {from})",
            null => $"the target's limit ({from}; this machine's load is unknown, so agents on the target's cores are not ruled out)",
            _ => $"the target's limit ({from}; the target's machine below 90 % busy)",
        };
    }

    private async Task<(LimitStep Step, ScenarioResult Result)> RunStepAsync(
        Scenario scenario, LimitSearch search, double level, CancellationToken cancellationToken)
    {
        var at = At(scenario, search, level);
        var (result, engineCores, machineBusy) = await runStep(at, cancellationToken);
        var broken = SloCheck.FirstBroken(search.Slo, result);
        return (new LimitStep
        {
            Level = level,
            Scenario = at.Name,
            MetSlo = broken is null,
            BrokenRule = broken,
            P99Ms = result.Latency.Event.Count > 0 ? result.Latency.Event.P99Ms : 0,
            EventsPerSecond = result.Throughput.EventsPerSecond,
            TargetCores = result.Server.CpuCores,
            EngineCores = Math.Round(engineCores, 3),
            MachineBusy = machineBusy is { } busy ? Math.Round(busy, 3) : null,
            FdLimitErrors = Kind(result, ErrorKinds.FdLimit),
            ConnectErrors = Kind(result, ErrorKinds.ConnectRefused) + Kind(result, ErrorKinds.ConnectionReset),
        }, result);
    }

    /// <summary>The scenario at one level: one closed step of the search's length at that many copies (or the
    /// entry's own copies, when the rate is what varies).</summary>
    internal static Scenario At(Scenario scenario, LimitSearch search, double level)
    {
        var copies = search.Vary == LimitSearch.Copies ? (int)level : LastCopies(scenario);
        var rate = search.Vary == LimitSearch.Rate ? level : scenario.Feed.RatePerSecond;
        var text = level.ToString("0.##", CultureInfo.InvariantCulture).Replace('.', '_');
        return scenario with
        {
            Name = $"{scenario.Name}_at_{text}",
            Load = [new KeepConstant(copies, search.StepLength)],
            Feed = scenario.Feed with { RatePerSecond = rate },
            Search = null,
        };
    }

    private static int LastCopies(Scenario scenario) => scenario.Load[^1] switch
    {
        KeepConstant k => k.Copies,
        RampingConstant r => r.Copies,
        _ => 1,
    };

    private static long Kind(ScenarioResult result, string kind) => result.Errors.ByKind.TryGetValue(kind, out var n) ? n : 0;

    /// <summary>Copies are whole; rates keep two decimals.</summary>
    private static double Round(LimitSearch search, double level) =>
        search.Vary == LimitSearch.Copies ? Math.Round(level, MidpointRounding.AwayFromZero) : Math.Round(level, 2);

    private static bool Close(LimitSearch search, double low, double high) =>
        high - low <= LimitSearch.Tolerance * low || (search.Vary == LimitSearch.Copies && high - low <= 1);
}
