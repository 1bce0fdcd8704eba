using System.Globalization;
using LoadBench.Contracts;
using LoadBench.Reporting.Charts;
using LoadBench.Reporting.Insights;
using LoadBench.Reporting.Model;
using LoadBench.Results;

namespace LoadBench.Reporting.Document;

/// <summary>Builds the report's blocks and charts from a results document.</summary>
internal static class ReportBuilder
{
    private const string NotApplicable = "—";

    public static ReportModel Build(ResultsDocument results, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(options);
        var run = results.Environment.ScenarioName;
        var blocks = new List<Block>();
        var charts = new List<ChartImage>();

        void AddChart(ChartImage? chart)
        {
            if (chart is not null)
            {
                charts.Add(chart);
                blocks.Add(new Figure(chart));
            }
        }

        blocks.Add(new Paragraph(RunLine(results)));
        blocks.Add(new Heading(2, "What this means"));
        blocks.Add(new Paragraph(string.Join(" ", WhatThisMeans.Sentences(results))));

        foreach (var group in SetupGroup.All(results))
        {
            blocks.Add(new Heading(2, group.Setup.Describe()));
            blocks.Add(SideBySide(group));
            if (options.IncludeCharts)
            {
                AddChart(SpectrumChart.Build(run, group, options));
                AddChart(BytesChart.Build(run, group, options));
                AddChart(TimeSeriesChart.Build(run, group, options));
                AddChart(ServerCostCharts.Cpu(run, group, options));
                AddChart(ServerCostCharts.Memory(run, group, options));
            }
        }

        foreach (var family in ScalingFamily.All(results))
        {
            blocks.Add(new Heading(2, $"Scaling with clients — {family.Describe()}"));
            blocks.Add(new Paragraph("Delivered events per second by client count (every event to every client would be clients × publish rate):"));
            blocks.Add(ScalingTable(family, s => Format.Rate(s.Throughput.EventsPerSecond)));
            if (options.IncludeCharts)
            {
                AddChart(ScalingCharts.Throughput(run, family, options));
            }

            blocks.Add(new Paragraph("p99 latency (publish → receive, ms) by client count:"));
            blocks.Add(ScalingTable(family, s => s.Latency.Event.Count > 0 ? Format.Ms(s.Latency.Event.P99Ms) : NotApplicable));
            if (options.IncludeCharts)
            {
                AddChart(ScalingCharts.P99(run, family, options));
            }
        }

        var errors = results.Scenarios.SelectMany(s => s.Errors.ByKind.Where(k => k.Value > 0).Select(k => (Scenario: s, Kind: k.Key, Count: k.Value))).ToList();
        if (errors.Count > 0)
        {
            blocks.Add(new Heading(2, "Errors by kind"));
            blocks.Add(new Table(
                ["Scenario", "Transport", "Kind", "Count"],
                [.. errors.Select(e => (IReadOnlyList<string>)[e.Scenario.Name, TransportIds.DisplayName(e.Scenario.Transport), e.Kind, Format.Count(e.Count)])]));
        }

        blocks.Add(new Heading(2, "Scenarios run"));
        blocks.Add(ScenarioTable(results));
        return new ReportModel($"LoadBench report: {run}", blocks, charts);
    }

    private static string RunLine(ResultsDocument results)
    {
        var env = results.Environment;
        var duration = env.FinishedAt - env.StartedAt;
        var commit = env.GitCommit is { Length: > 0 } c ? $", commit {c[..Math.Min(12, c.Length)]}" : string.Empty;
        var target = env.TargetStartedByEngine ? "started by the engine" : "already running";
        // The engine may store RuntimeInformation.FrameworkDescription (".NET 10.0.1") or a bare version.
        var runtime = env.DotnetVersion.StartsWith(".NET", StringComparison.Ordinal) ? env.DotnetVersion : ".NET " + env.DotnetVersion;
        var hash = env.ScenarioHash[..Math.Min(12, env.ScenarioHash.Length)];
        var when = string.Create(CultureInfo.InvariantCulture, $"run from {env.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} to {env.FinishedAt.UtcDateTime:HH:mm:ss} UTC");
        return $"Scenario file {env.ScenarioName} (SHA-256 {hash}…), {when} ({Format.Rate(duration.TotalSeconds)} s) " +
            $"on {env.ProcessorCount.ToString(CultureInfo.InvariantCulture)} cores, {env.Os}, {runtime}, LoadBench {env.LoadBenchVersion}{commit}. Target {env.TargetUrl}, {target}. " +
            "Latency is publish → receive per event; bytes are counted on the client's sockets; warm-up is left out.";
    }

    /// <summary>One column per scenario of the setup, one row per metric: the transports side by side.</summary>
    private static Table SideBySide(SetupGroup group)
    {
        var scenarios = group.Scenarios;
        var rows = new List<IReadOnlyList<string>>();
        void Row(string label, Func<ScenarioResult, string> value) => rows.Add([label, .. scenarios.Select(value)]);
        static string Latency(LatencySummary summary, double ms) => summary.Count > 0 ? Format.Ms(ms) : NotApplicable;

        Row("Scenario", s => s.Name);
        Row("Poll interval (ms)", s => s.PollIntervalMs is { } i ? Format.Ms(i) : NotApplicable);
        Row("Measured (s)", s => Format.Rate(s.DurationSeconds));
        Row("Latency p50 (ms)", s => Latency(s.Latency.Event, s.Latency.Event.P50Ms));
        Row("Latency p90 (ms)", s => Latency(s.Latency.Event, s.Latency.Event.P90Ms));
        Row("Latency p99 (ms)", s => Latency(s.Latency.Event, s.Latency.Event.P99Ms));
        Row("Latency p99.9 (ms)", s => Latency(s.Latency.Event, s.Latency.Event.P999Ms));
        Row("Latency max (ms)", s => Latency(s.Latency.Event, s.Latency.Event.MaxMs));
        Row("Request p99 (ms)", s => s.Latency.Request is { } r ? Latency(r, r.P99Ms) : NotApplicable);
        Row("Events delivered", s => Format.Count(s.Throughput.EventsDelivered));
        Row("Events/s", s => Format.Rate(s.Throughput.EventsPerSecond));
        Row("Requests", s => Format.Count(s.Throughput.Requests));
        Row("Requests/s", s => Format.Rate(s.Throughput.RequestsPerSecond));
        Row("Empty responses", s => s.Throughput.EmptyResponseShare is { } e ? Format.Percent(e) : NotApplicable);
        Row("Bytes/event: payload", s => Format.Bytes(s.Bytes.PerEvent.Payload));
        Row("Bytes/event: framing", s => Format.Bytes(s.Bytes.PerEvent.Framing));
        Row("Bytes/event: headers", s => Format.Bytes(s.Bytes.PerEvent.Headers));
        Row("Bytes/event: total", s => Format.Bytes(s.Bytes.PerEvent.Total));
        Row("Lost events", s => Format.Count(s.Integrity.Lost));
        Row("Duplicates", s => Format.Count(s.Integrity.Duplicates));
        Row("Reorders", s => Format.Count(s.Integrity.Reorders));
        Row("Reconnects", s => Format.Count(s.Integrity.Reconnects));
        Row("Errors", s => $"{Format.Count(s.Errors.Count)} ({Format.Percent(s.Errors.Rate)})");
        Row("Server CPU per 1,000 events (ms)", s => s.Server.CpuMsPer1000Events is { } c ? Format.Ms(c) : NotApplicable);
        Row("Server CPU (cores)", s => Format.Rate(s.Server.CpuCores));
        Row("Server memory per connection (KiB)", s => s.Server.KibPerConnection is { } k ? Format.Bytes(k) : NotApplicable);

        return new Table(["Metric", .. scenarios.Select(group.Label)], rows, [null, .. scenarios.Select(s => (string?)s.Transport)]);
    }

    private static Table ScalingTable(ScalingFamily family, Func<ScenarioResult, string> value)
    {
        var rows = family.ClientCounts
            .Select(clients => (IReadOnlyList<string>)[Format.Count(clients), .. family.Series.Select(series =>
                series.Points.FirstOrDefault(p => p.Clients == clients) is { } point ? value(point) : NotApplicable)])
            .ToList();
        return new Table(["Clients", .. family.Series.Select(s => s.Label)], rows, [null, .. family.Series.Select(s => (string?)s.Transport)]);
    }

    private static Table ScenarioTable(ResultsDocument results) => new(
        ["Scenario", "Transport", "Load simulation", "Clients", "Events/s published", "Payload (B)", "Warm-up (s)", "Measured (s)"],
        [.. results.Scenarios.Select(s => (IReadOnlyList<string>)[
            s.Name, TransportIds.DisplayName(s.Transport), s.LoadSimulation, Format.Count(s.Clients),
            Format.Rate(s.PublishRatePerSecond), Format.Count(s.PayloadBytes), Format.Rate(s.WarmUpSeconds), Format.Rate(s.DurationSeconds)])]);
}
