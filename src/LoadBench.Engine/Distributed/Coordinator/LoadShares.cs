using LoadBench.Engine.Scenarios;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>
/// Shares a scenario's load among agents by weight (their open-file budgets): every step's copies (closed models) or
/// arrival rate (open models), and the open model's client pool, are split by largest remainder, so the shares are
/// whole numbers that add up to exactly the scenario's — never one client more or less than the file asks.
/// </summary>
internal static class LoadShares
{
    public static IReadOnlyList<Scenario> Split(Scenario scenario, IReadOnlyList<long> weights)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfZero(weights.Count);

        var steps = scenario.Load.Select(step => Apportion(Amount(step), weights)).ToList();
        var pools = scenario.OpenModelClients is { } pool ? Apportion(pool, weights) : null;
        var shares = new List<Scenario>(weights.Count);
        for (var agent = 0; agent < weights.Count; agent++)
        {
            var load = scenario.Load.Select((step, i) => WithAmount(step, steps[i][agent])).ToList();
            shares.Add(scenario with
            {
                Load = load,
                OpenModelClients = pools is null ? null : Math.Max(1, pools[agent]),
            });
        }

        return shares;
    }

    /// <summary>Largest-remainder apportionment of <paramref name="total"/>; ties go to the earlier agent.</summary>
    public static int[] Apportion(int total, IReadOnlyList<long> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        // An agent that reports no budget still counts as able to carry something: weight 1.
        var w = weights.Select(x => (double)Math.Max(1, x)).ToArray();
        var sum = w.Sum();
        var exact = w.Select(x => total * x / sum).ToArray();
        var shares = exact.Select(x => (int)Math.Floor(x)).ToArray();
        var left = total - shares.Sum();
        foreach (var i in Enumerable.Range(0, w.Length).OrderByDescending(i => exact[i] - shares[i]).ThenBy(i => i).Take(left))
        {
            shares[i]++;
        }

        return shares;
    }

    private static int Amount(LoadSimulation step) => step switch
    {
        KeepConstant k => k.Copies,
        RampingConstant r => r.Copies,
        Inject i => i.Rate,
        RampingInject r => r.Rate,
        _ => throw new ArgumentException($"Unknown load model {step.GetType().Name}.", nameof(step)),
    };

    private static LoadSimulation WithAmount(LoadSimulation step, int amount) => step switch
    {
        KeepConstant k => k with { Copies = amount },
        RampingConstant r => r with { Copies = amount },
        Inject i => i with { Rate = amount },
        RampingInject r => r with { Rate = amount },
        _ => throw new ArgumentException($"Unknown load model {step.GetType().Name}.", nameof(step)),
    };
}
