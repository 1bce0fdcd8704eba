using System.Globalization;
using LoadBench.Contracts;
using LoadBench.Reporting;
using LoadBench.Results;

namespace LoadBench.Cli;

/// <summary>Writes a run's results.json and every report beside it, and prints the short summary.</summary>
internal static class ResultsOutput
{
    public const string ResultsFileName = "results.json";

    /// <summary>Where a command writes when not told: <c>./results/&lt;UTC time&gt;-&lt;label&gt;/</c> of the current folder.</summary>
    public static string DefaultDirectory(string label) => Path.GetFullPath(Path.Combine(
        "results", DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + label));

    public static async Task<ReportFiles> WriteAsync(ResultsDocument results, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await ResultsFile.WriteAsync(Path.Combine(directory, ResultsFileName), results, cancellationToken);
        return ReportWriter.WriteAll(results, directory);
    }

    public static void PrintSummary(ResultsDocument results, ReportFiles files)
    {
        Console.WriteLine();
        if (results.Scenarios.Select(s => s.Trials?.Count ?? 1).DefaultIfEmpty(1).Max() is > 1 and var trials)
        {
            Console.WriteLine($"Each scenario ran {trials} times; the figures below pool its trials (the report shows each trial's spread).");
        }

        Console.WriteLine($"{"scenario",-34} {"transport",-18} {"p50 ms",8} {"p99 ms",8} {"events/s",10} {"B/event",8} {"lost",6} {"errors",6}");
        foreach (var s in results.Scenarios)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Name,-34} {TransportIds.DisplayName(s.Transport),-18} {s.Latency.Event.P50Ms,8:0.00} {s.Latency.Event.P99Ms,8:0.00} {s.Throughput.EventsPerSecond,10:0.0} {s.Bytes.PerEvent.Total,8:0} {s.Integrity.Lost,6} {s.Errors.Count,6}"));
        }

        Console.WriteLine();
        foreach (var sentence in ReportWriter.Explain(results))
        {
            Console.WriteLine(sentence);
        }

        Console.WriteLine();
        Console.WriteLine($"Report: {files.HtmlReport}");
        Console.WriteLine($"Results: {Path.Combine(files.OutputDirectory, ResultsFileName)}");
    }
}
