using System.Globalization;
using LoadBench.Engine.Running;
using Spectre.Console;

namespace LoadBench.Cli.Progress;

/// <summary>A live table on a terminal: scenario, phase, elapsed/remaining, live events/s and p99.</summary>
internal sealed class LiveProgressDisplay : ProgressDisplay
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _rendering;
    private volatile RunProgress? _latest;
    private readonly List<string> _notices = [];

    public LiveProgressDisplay()
    {
        _rendering = Task.Run(RenderAsync);
    }

    public override void Report(RunProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _latest = value;
        if (value.Message is { } message)
        {
            lock (_notices)
            {
                _notices.Add($"{value.Scenario}: {message}");
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _rendering;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RenderAsync()
    {
        await AnsiConsole.Live(Build(null)).AutoClear(false).StartAsync(async context =>
        {
            while (!_stop.IsCancellationRequested)
            {
                context.UpdateTarget(Build(_latest));
                try
                {
                    await Task.Delay(250, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            context.UpdateTarget(Build(_latest));
        });
    }

    private Table Build(RunProgress? progress)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]LoadBench[/]");
        table.AddColumns("scenario", "phase", "elapsed / remaining", "events/s (last s)", "p99 ms (last s)", "clients");
        if (progress is not null)
        {
            table.AddRow(
                Markup.Escape($"[{progress.Index + 1}/{progress.Count}] {progress.Scenario}"),
                PlainProgressDisplay.PhaseText(progress.Phase),
                string.Create(CultureInfo.InvariantCulture, $"{progress.Elapsed.TotalSeconds:0}s / {progress.Remaining.TotalSeconds:0}s"),
                progress.EventsPerSecond.ToString("0", CultureInfo.InvariantCulture),
                progress.P99Ms.ToString("0.0", CultureInfo.InvariantCulture),
                progress.Clients.ToString(CultureInfo.InvariantCulture));
        }

        lock (_notices)
        {
            foreach (var notice in _notices.TakeLast(3))
            {
                table.AddRow(Markup.Escape(notice), "", "", "", "", "");
            }
        }

        return table;
    }
}
