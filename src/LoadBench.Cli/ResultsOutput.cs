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

    /// <summary>Most suffixes tried before giving up (<c>-2</c> … <c>-999</c>): a bound, never reached in practice.</summary>
    private const int MaxSuffix = 999;

    /// <summary>What a run writes into its folder: a folder holding any of these is an earlier run's.</summary>
    public static readonly IReadOnlyList<string> RunFiles =
        [ResultsFileName, ReportWriter.HtmlFileName, ReportWriter.MarkdownFileName, ReportWriter.SummaryCsvFileName, ReportWriter.PlotsDirectoryName];

    /// <summary>
    /// Writes results.json and the reports into a fresh folder: <paramref name="directory"/> unless it already holds
    /// an earlier run's files, else the first of <c>DIRECTORY-2</c>, <c>DIRECTORY-3</c>, … that does not
    /// (<see cref="FreshDirectory"/>), so an earlier run's results are never overwritten. Every file is written whole
    /// or not at all (<see cref="AtomicFile"/>).
    /// </summary>
    public static async Task<ReportFiles> WriteAsync(ResultsDocument results, string directory, CancellationToken cancellationToken)
    {
        var fresh = FreshDirectory(directory, RunFiles);
        await ResultsFile.WriteAsync(Path.Combine(fresh, ResultsFileName), results, cancellationToken);
        return ReportWriter.WriteAll(results, fresh);
    }

    /// <summary>
    /// The folder to write into, created: <paramref name="directory"/> itself unless it holds any of
    /// <paramref name="names"/> (what the command writes there), otherwise the first <c>DIRECTORY-N</c> (N = 2, 3, …)
    /// that holds none, said on the console. So nothing an earlier run wrote is ever replaced, and files of other
    /// names beside them (a scenario file, notes) neither move the output nor are touched.
    /// </summary>
    public static string FreshDirectory(string directory, IReadOnlyList<string> names)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(names);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        for (var n = 1; n <= MaxSuffix; n++)
        {
            var candidate = n == 1 ? full : string.Create(CultureInfo.InvariantCulture, $"{full}-{n}");
            if (File.Exists(candidate) || names.Any(name => Path.Exists(Path.Combine(candidate, name))))
            {
                continue;
            }

            Directory.CreateDirectory(candidate);
            if (n > 1)
            {
                Console.WriteLine($"note: {full} already holds an earlier run's results; writing to {candidate} instead (nothing is overwritten).");
            }

            return candidate;
        }

        throw new IOException($"{full} and {full}-2 … {full}-{MaxSuffix} all hold results; choose another --output folder.");
    }

    public static void PrintSummary(ResultsDocument results, ReportFiles files)
    {
        Console.WriteLine();
        if (results.Incomplete is { } incomplete)
        {
            Console.WriteLine($"INCOMPLETE RUN: {incomplete.Reason}");
            Console.WriteLine("Scenarios marked [incomplete] cover only what ran before the stop.");
            Console.WriteLine();
        }

        if (results.Scenarios.Select(s => s.Trials?.Count ?? 1).DefaultIfEmpty(1).Max() is > 1 and var trials)
        {
            Console.WriteLine($"Each scenario ran {trials} times; the figures below pool its trials (the report shows each trial's spread).");
        }

        Console.WriteLine($"{"scenario",-34} {"transport",-18} {"p50 ms",8} {"p99 ms",8} {"events/s",10} {"B/event",8} {"lost",6} {"errors",6}");
        foreach (var s in results.Scenarios)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Label(s),-34} {TransportIds.DisplayName(s.Transport),-18} {s.Latency.Event.P50Ms,8:0.00} {s.Latency.Event.P99Ms,8:0.00} {s.Throughput.EventsPerSecond,10:0.0} {s.Bytes.PerEvent.Total,8:0} {s.Integrity.Lost,6} {s.Errors.Count,6}"));
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

    private static string Label(ScenarioResult scenario) => scenario.Incomplete is null ? scenario.Name : scenario.Name + " [incomplete]";
}
