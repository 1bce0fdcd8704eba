using System.Text.RegularExpressions;
using LoadBench.Contracts;

namespace LoadBench.Engine.Scenarios;

/// <summary>A problem with one field of a scenario: <paramref name="Field"/> is relative to the scenario
/// (<c>load[0].copies</c>), so a file loader can point at the line it came from.</summary>
internal sealed record ScenarioIssue(string Field, string Message);

/// <summary>
/// The rules every scenario must follow, whether written in code or loaded from a file. Bounds keep every
/// run finite: a typo must not turn into an hour-long load on a shared machine.
/// </summary>
internal static partial class ScenarioValidator
{
    public const int MaxCopies = 100_000;
    public const int MaxRate = 1_000_000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();

    public static bool IsSnakeCase(string name) => SnakeCase().IsMatch(name);

    public static IReadOnlyList<ScenarioIssue> Validate(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        return Validate(ScenarioDraft.Of(scenario));
    }

    /// <summary>Every rule whose inputs are known; a rule that needs a missing field is skipped (the loader
    /// reported the missing field itself).</summary>
    internal static IReadOnlyList<ScenarioIssue> Validate(ScenarioDraft scenario)
    {
        var issues = new List<ScenarioIssue>();
        void Fail(string field, string message) => issues.Add(new ScenarioIssue(field, message));

        if (scenario.Name is { } name && (!IsSnakeCase(name) || name.Length > 100))
        {
            Fail("name", $"must be snake_case (lower-case letters, digits and single underscores, starting with a letter, at most 100 characters), got \"{name}\"");
        }

        var streaming = scenario.Transport is TransportIds.Sse or TransportIds.WebSocket;
        if (scenario.Transport is { } transport && !TransportIds.All.Contains(transport))
        {
            Fail("transport", $"must be one of {string.Join(", ", TransportIds.All)}, got \"{transport}\"");
        }

        // Open or closed is set by the first step; with no step at all the scenario is neither (not open).
        bool? open = scenario.Load switch
        {
            null => null,
            [] => false,
            var steps => steps.FirstOrDefault(step => step is not null)?.IsOpen,
        };
        if (scenario.Load is { } load)
        {
            if (load.Count == 0)
            {
                Fail("load", "must hold at least one step, e.g. { \"model\": \"KeepConstant\", \"copies\": 10, \"during\": \"10s\" }");
            }

            for (var i = 0; i < load.Count; i++)
            {
                if (load[i] is not { } step)
                {
                    continue;
                }

                ValidateStep(step, $"load[{i}]", Fail);
                if (step.IsOpen != open)
                {
                    Fail($"load[{i}]", $"cannot mix open ({nameof(Inject)}, {nameof(RampingInject)}) and closed ({nameof(KeepConstant)}, {nameof(RampingConstant)}) models in one scenario; split it into two scenarios");
                }
                else if (step.IsOpen && streaming)
                {
                    Fail($"load[{i}]", $"{step.Model} is an open model (requests per interval) and only fits request/response transports (poll, longpoll); '{scenario.Transport}' keeps one connection open per client, so use {nameof(KeepConstant)} or {nameof(RampingConstant)}");
                }
            }

            var duration = load.Aggregate(TimeSpan.Zero, (sum, step) => sum + (step?.During ?? TimeSpan.Zero));
            if (duration > MaxDuration)
            {
                Fail("load", $"the steps add up to {duration}, more than the {MaxDuration} a scenario may run");
            }
        }

        if (scenario.WarmUp is { } warmUp && (warmUp < TimeSpan.Zero || warmUp > MaxDuration))
        {
            Fail("warmUp", $"must be 0 to {MaxDuration}, got {warmUp}");
        }

        if (scenario.RatePerSecond is { } rate && (double.IsNaN(rate) || rate < 0 || rate > FeedSettings.MaxRatePerSecond))
        {
            Fail("feed.ratePerSecond", $"must be 0 to {FeedSettings.MaxRatePerSecond}, got {rate}");
        }

        if (scenario.PayloadBytes is { } payload and (< 0 or > FeedSettings.MaxPayloadBytes))
        {
            Fail("feed.payloadBytes", $"must be 0 to {FeedSettings.MaxPayloadBytes}, got {payload}");
        }

        ValidateClient(scenario, Fail);
        ValidateFaults(scenario, Fail);
        ValidateSetup(scenario, Fail);

        if (scenario.OpenModelClients is { } pool)
        {
            if (open == false)
            {
                Fail("clients", "applies to open models (Inject, RampingInject) only; closed models set 'copies' in each step");
            }
            else if (pool is < 1 or > MaxCopies)
            {
                Fail("clients", $"must be a positive integer up to {MaxCopies}, got {pool}");
            }
        }

        return issues;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every issue, for scenarios built in code.</summary>
    public static void EnsureValid(Scenario scenario)
    {
        IReadOnlyList<ScenarioIssue> issues = Validate(scenario);
        if (issues.Count > 0)
        {
            throw new ArgumentException(
                $"Scenario '{scenario.Name}' is not valid: " + string.Join("; ", issues.Select(i => $"{i.Field}: {i.Message}")), nameof(scenario));
        }
    }

    private static void ValidateStep(LoadSimulation step, string at, Action<string, string> fail)
    {
        if (step.During <= TimeSpan.Zero || step.During > MaxDuration)
        {
            fail($"{at}.during", $"must be more than 0 and at most {MaxDuration}, got {step.During}");
        }

        switch (step)
        {
            case KeepConstant { Copies: < 1 or > MaxCopies } k:
                fail($"{at}.copies", $"must be a positive integer up to {MaxCopies}, got {k.Copies}");
                break;
            case RampingConstant { Copies: < 0 or > MaxCopies } r:
                fail($"{at}.copies", $"must be 0 to {MaxCopies}, got {r.Copies}");
                break;
            case Inject i:
                if (i.Rate is < 1 or > MaxRate)
                {
                    fail($"{at}.rate", $"must be a positive integer up to {MaxRate}, got {i.Rate}");
                }

                ValidateInterval(i.Interval, at, fail);
                break;
            case RampingInject r:
                if (r.Rate is < 0 or > MaxRate)
                {
                    fail($"{at}.rate", $"must be 0 to {MaxRate}, got {r.Rate}");
                }

                ValidateInterval(r.Interval, at, fail);
                break;
        }
    }

    private static void ValidateInterval(TimeSpan interval, string at, Action<string, string> fail)
    {
        if (interval <= TimeSpan.Zero || interval > MaxDuration)
        {
            fail($"{at}.interval", $"must be more than 0 and at most {MaxDuration}, got {interval}");
        }
    }

    /// <summary>Every fault must be a known kind with the fields its kind takes, start inside the measured phase
    /// and end inside it too, so that the drain after the phase measures recovery, not the fault.</summary>
    private static void ValidateFaults(ScenarioDraft scenario, Action<string, string> fail)
    {
        if (scenario.Faults is not { } faults)
        {
            return;
        }

        TimeSpan? phase = scenario.Load is { } load && load.All(step => step is not null)
            ? load.Aggregate(TimeSpan.Zero, (sum, step) => sum + step!.During)
            : null;
        var kinds = string.Join(", ", FaultKinds.All);
        for (var i = 0; i < faults.Count; i++)
        {
            if (faults[i] is not { } fault)
            {
                continue;
            }

            var at = $"faults[{i}]";
            if (fault.At < TimeSpan.Zero || (phase is { } length && fault.At >= length))
            {
                fail($"{at}.at", $"must be from 0s to before the end of the measured phase ({phase?.TotalSeconds:0.###}s), got {fault.At.TotalSeconds:0.###}s");
            }

            if (!FaultKinds.All.Contains(fault.Kind))
            {
                fail($"{at}.kind", $"must be one of {kinds}, got \"{fault.Kind}\"");
                continue;
            }

            if (ScenarioFault.TakesFraction(fault.Kind))
            {
                if (fault.Fraction is not { } fraction)
                {
                    fail(at, $"a {fault.Kind} fault needs 'fraction': the share of connections it hits, e.g. 0.01");
                }
                else if (double.IsNaN(fraction) || fraction <= 0 || fraction > 1)
                {
                    fail($"{at}.fraction", $"must be above 0 and at most 1, got {fraction}");
                }
            }
            else if (fault.Fraction is not null)
            {
                fail($"{at}.fraction", $"a {fault.Kind} fault takes no fraction; only {FaultKinds.Abort} and {FaultKinds.Stall} do");
            }

            if (ScenarioFault.TakesDuration(fault.Kind))
            {
                if (fault.Duration is not { } duration)
                {
                    fail(at, $"a {fault.Kind} fault needs 'duration': how long it lasts, e.g. \"60s\"");
                }
                else if (duration < TimeSpan.FromMilliseconds(1) || duration > MaxDuration)
                {
                    fail($"{at}.duration", $"must be 1ms to {MaxDuration}, got {duration}");
                }
                else if (phase is { } total && fault.At >= TimeSpan.Zero && fault.At + duration > total)
                {
                    fail($"{at}.duration", $"must end inside the measured phase: {fault.At.TotalSeconds:0.###}s + {duration.TotalSeconds:0.###}s is beyond its {total.TotalSeconds:0.###}s");
                }
            }
            else if (fault.Duration is not null)
            {
                fail($"{at}.duration", $"a {fault.Kind} fault happens once and takes no duration; only {FaultKinds.Abort}, {FaultKinds.Stall} and {FaultKinds.Pause} do");
            }
        }
    }

    private static void ValidateClient(ScenarioDraft client, Action<string, string> fail)
    {
        if (client.PollInterval is { } pollInterval && (pollInterval < TimeSpan.Zero || pollInterval > MaxDuration))
        {
            fail("pollInterval", $"must be 0 to {MaxDuration}, got {pollInterval}");
        }

        var maxTimeout = TimeSpan.FromMilliseconds(FeedRoutes.MaxLongPollTimeoutMs);
        if (client.LongPollTimeout is { } timeout && (timeout < TimeSpan.FromMilliseconds(1) || timeout > maxTimeout))
        {
            fail("longPollTimeout", $"must be 1ms to {maxTimeout}, got {timeout}");
        }

        if (client.MaxPerPoll is { } maxPerPoll and (< 1 or > FeedRoutes.MaxPollMax))
        {
            fail("maxPerPoll", $"must be 1 to {FeedRoutes.MaxPollMax}, got {maxPerPoll}");
        }
    }
}
