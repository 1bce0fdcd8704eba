using LoadBench.Engine.Running;

namespace LoadBench.Cli.Progress;

/// <summary>
/// Shows a run's progress: a live Spectre.Console table on a terminal, one plain line per phase when output
/// is redirected or <c>CI=true</c> (a log file should not fill with redraws).
/// </summary>
internal abstract class ProgressDisplay : IProgress<RunProgress>, IAsyncDisposable
{
    public static ProgressDisplay Create(bool quiet = false) =>
        quiet ? new SilentProgressDisplay()
        : Console.IsOutputRedirected || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            ? new PlainProgressDisplay(Console.Out)
            : new LiveProgressDisplay();

    public abstract void Report(RunProgress value);

    public abstract ValueTask DisposeAsync();

    private sealed class SilentProgressDisplay : ProgressDisplay
    {
        public override void Report(RunProgress value)
        {
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
