using System.Globalization;
using LoadBench.Engine.Running;

namespace LoadBench.Cli.Progress;

/// <summary>One line per phase change, with the last second's figures: readable in a CI log.</summary>
internal sealed class PlainProgressDisplay(TextWriter output) : ProgressDisplay
{
    private readonly Lock _lock = new();
    private (string Scenario, RunPhase Phase)? _last;

    public override void Report(RunProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            if (value.Message is { } message)
            {
                output.WriteLine($"[{value.Index + 1}/{value.Count}] {value.Scenario}: {message}");
            }

            if (_last == (value.Scenario, value.Phase))
            {
                return;
            }

            _last = (value.Scenario, value.Phase);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{value.Index + 1}/{value.Count}] {value.Scenario}: {PhaseText(value.Phase)} ({value.Remaining.TotalSeconds:0}s planned){Figures(value)}"));
        }
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string Figures(RunProgress value) => value.Phase is RunPhase.Draining or RunPhase.Done
        ? string.Create(CultureInfo.InvariantCulture, $" — last second: {value.EventsPerSecond:0} events/s, p99 {value.P99Ms:0.0} ms, {value.Clients} clients")
        : "";

    internal static string PhaseText(RunPhase phase) => phase switch
    {
        RunPhase.Starting => "starting",
        RunPhase.WarmUp => "warm-up",
        RunPhase.Measured => "measuring",
        RunPhase.Draining => "draining",
        RunPhase.Done => "done",
        _ => phase.ToString(),
    };
}
