using System.Globalization;
using LoadBench.Gate.Thresholds;
using LoadBench.Results;

namespace LoadBench.Gate.Baselines;

/// <summary>
/// Whether a baseline can judge a plan, checked before anything runs. Problems (a scenario the baseline
/// lacks, or one it ran with another transport, load, feed or setup) make the comparison meaningless: the CLI exits 2.
/// Notes (the scenario file changed but its scenarios did not — an edited threshold, say; another machine)
/// are printed and the gate goes on.
/// </summary>
public static class BaselineCompatibility
{
    public sealed record Outcome(IReadOnlyList<string> Problems, IReadOnlyList<string> Notes);

    public static Outcome Check(BaselineDocument baseline, string baselineSource, IReadOnlyList<PlannedScenario> plan, string planHash)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(plan);
        var problems = new List<string>();
        var notes = new List<string>();
        var trial = baseline.Trials[0];
        var byName = trial.Scenarios.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var planned in plan)
        {
            if (!byName.TryGetValue(planned.Name, out var was))
            {
                problems.Add($"{baselineSource}: has no scenario '{planned.Name}' (it has: {string.Join(", ", byName.Keys)}); make a new baseline for this scenario file");
                continue;
            }

            var differences = new List<string>();
            Compare(differences, "transport", was.Transport, planned.Transport);
            Compare(differences, "load", was.LoadSimulation, planned.LoadSimulation);
            Compare(differences, "feed rate", Invariant(was.PublishRatePerSecond), Invariant(planned.PublishRatePerSecond));
            Compare(differences, "payload bytes", Invariant(was.PayloadBytes), Invariant(planned.PayloadBytes));
            Compare(differences, "warm-up seconds", Invariant(was.WarmUpSeconds), Invariant(planned.WarmUpSeconds));
            // An HTTP/1.1 baseline never judges an HTTP/2 run (nor plain TLS, gzip none, …): a setup is part of what
            // the scenario is, so the gate refuses rather than report a protocol's cost as a regression.
            Compare(differences, "setup", SetupResults.Describe(was.Setup), SetupResults.Describe(planned.Setup));
            if (differences.Count > 0)
            {
                problems.Add($"{baselineSource}: scenario '{planned.Name}' ran differently in the baseline ({string.Join("; ", differences)}); make a new baseline");
            }
        }

        if (problems.Count == 0 && baseline.ScenarioHash != planHash)
        {
            notes.Add("the scenario file changed since the baseline was made (thresholds or descriptions?), but its scenarios are the same");
        }

        var extra = byName.Keys.Except(plan.Select(p => p.Name)).ToList();
        if (extra.Count > 0)
        {
            notes.Add($"the baseline also has scenario(s) this file does not run: {string.Join(", ", extra)}");
        }

        if (trial.Environment.ProcessorCount != Environment.ProcessorCount)
        {
            notes.Add($"the baseline ran on {trial.Environment.ProcessorCount} cores, this machine has {Environment.ProcessorCount}: compare like with like");
        }

        return new Outcome(problems, notes);
    }

    private static void Compare(List<string> differences, string what, string was, string now)
    {
        if (!string.Equals(was, now, StringComparison.Ordinal))
        {
            differences.Add($"{what} {was} then, {now} now");
        }
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
