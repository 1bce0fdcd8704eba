using System.Text.RegularExpressions;
using LoadBench.Contracts;

namespace LoadBench.Engine.Scenarios;

/// <summary>A problem with one field of a scenario: <paramref name="Field"/> is relative to the scenario
/// (<c>load[0].copies</c>), so a file loader can point at the line it came from.</summary>
public sealed record ScenarioIssue(string Field, string Message);

/// <summary>
/// The rules every scenario must follow, whether written in code or loaded from a file. Bounds keep every
/// run finite: a typo must not turn into an hour-long load on a shared machine.
/// </summary>
public static partial class ScenarioValidator
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
        var issues = new List<ScenarioIssue>();
        void Fail(string field, string message) => issues.Add(new ScenarioIssue(field, message));

        if (!IsSnakeCase(scenario.Name) || scenario.Name.Length > 100)
        {
            Fail("name", $"must be snake_case (lower-case letters, digits and single underscores, starting with a letter, at most 100 characters), got \"{scenario.Name}\"");
        }

        var streaming = scenario.Transport is TransportIds.Sse or TransportIds.WebSocket;
        if (!TransportIds.All.Contains(scenario.Transport))
        {
            Fail("transport", $"must be one of {string.Join(", ", TransportIds.All)}, got \"{scenario.Transport}\"");
        }

        if (scenario.Load.Count == 0)
        {
            Fail("load", "must hold at least one step, e.g. { \"model\": \"KeepConstant\", \"copies\": 10, \"during\": \"10s\" }");
        }

        for (var i = 0; i < scenario.Load.Count; i++)
        {
            ValidateStep(scenario.Load[i], $"load[{i}]", Fail);
            if (scenario.Load[i].IsOpen != scenario.Load[0].IsOpen)
            {
                Fail($"load[{i}]", $"cannot mix open ({nameof(Inject)}, {nameof(RampingInject)}) and closed ({nameof(KeepConstant)}, {nameof(RampingConstant)}) models in one scenario; split it into two scenarios");
            }
            else if (scenario.Load[i].IsOpen && streaming)
            {
                Fail($"load[{i}]", $"{scenario.Load[i].Model} is an open model (requests per interval) and only fits request/response transports (poll, longpoll); '{scenario.Transport}' keeps one connection open per client, so use {nameof(KeepConstant)} or {nameof(RampingConstant)}");
            }
        }

        if (scenario.Duration > MaxDuration)
        {
            Fail("load", $"the steps add up to {scenario.Duration}, more than the {MaxDuration} a scenario may run");
        }

        if (scenario.WarmUp < TimeSpan.Zero || scenario.WarmUp > MaxDuration)
        {
            Fail("warmUp", $"must be 0 to {MaxDuration}, got {scenario.WarmUp}");
        }

        if (double.IsNaN(scenario.Feed.RatePerSecond) || scenario.Feed.RatePerSecond < 0 || scenario.Feed.RatePerSecond > FeedSettings.MaxRatePerSecond)
        {
            Fail("feed.ratePerSecond", $"must be 0 to {FeedSettings.MaxRatePerSecond}, got {scenario.Feed.RatePerSecond}");
        }

        if (scenario.Feed.PayloadBytes is < 0 or > FeedSettings.MaxPayloadBytes)
        {
            Fail("feed.payloadBytes", $"must be 0 to {FeedSettings.MaxPayloadBytes}, got {scenario.Feed.PayloadBytes}");
        }

        ValidateClient(scenario.Client, Fail);

        if (scenario.OpenModelClients is { } pool)
        {
            if (!scenario.IsOpenModel)
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
        var issues = Validate(scenario);
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

    private static void ValidateClient(ClientSpec client, Action<string, string> fail)
    {
        if (client.PollInterval < TimeSpan.Zero || client.PollInterval > MaxDuration)
        {
            fail("pollInterval", $"must be 0 to {MaxDuration}, got {client.PollInterval}");
        }

        var maxTimeout = TimeSpan.FromMilliseconds(FeedRoutes.MaxLongPollTimeoutMs);
        if (client.LongPollTimeout < TimeSpan.FromMilliseconds(1) || client.LongPollTimeout > maxTimeout)
        {
            fail("longPollTimeout", $"must be 1ms to {maxTimeout}, got {client.LongPollTimeout}");
        }

        if (client.MaxPerPoll is < 1 or > FeedRoutes.MaxPollMax)
        {
            fail("maxPerPoll", $"must be 1 to {FeedRoutes.MaxPollMax}, got {client.MaxPerPoll}");
        }
    }
}
