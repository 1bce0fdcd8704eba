using System.Text;
using LoadBench.Results;

namespace LoadBench.Reporting.Csv;

/// <summary>
/// <c>summary.csv</c>: one row per scenario result, for spreadsheets and scripts. The columns are a stable
/// interface: add new ones at the end, never rename or reorder. Numbers use the invariant culture and the
/// round-trip form; a value that does not apply (empty share of a streaming transport) is an empty field.
/// </summary>
internal static class SummaryCsv
{
    private static readonly (string Name, Func<ScenarioResult, string> Value)[] ColumnDefinitions =
    [
        ("scenario", s => s.Name),
        ("transport", s => s.Transport),
        ("clients", s => Format.Exact(s.Clients)),
        ("publish_rate_per_s", s => Format.Exact(s.PublishRatePerSecond)),
        ("payload_bytes", s => Format.Exact(s.PayloadBytes)),
        ("latency_p50_ms", s => Format.Exact(s.Latency.Event.P50Ms)),
        ("latency_p90_ms", s => Format.Exact(s.Latency.Event.P90Ms)),
        ("latency_p99_ms", s => Format.Exact(s.Latency.Event.P99Ms)),
        ("latency_p999_ms", s => Format.Exact(s.Latency.Event.P999Ms)),
        ("latency_max_ms", s => Format.Exact(s.Latency.Event.MaxMs)),
        ("events_delivered", s => Format.Exact(s.Throughput.EventsDelivered)),
        ("events_per_s", s => Format.Exact(s.Throughput.EventsPerSecond)),
        ("requests", s => Format.Exact(s.Throughput.Requests)),
        ("requests_per_s", s => Format.Exact(s.Throughput.RequestsPerSecond)),
        ("empty_share", s => Optional(s.Throughput.EmptyResponseShare)),
        ("bytes_per_event_payload", s => Format.Exact(s.Bytes.PerEvent.Payload)),
        ("bytes_per_event_framing", s => Format.Exact(s.Bytes.PerEvent.Framing)),
        ("bytes_per_event_headers", s => Format.Exact(s.Bytes.PerEvent.Headers)),
        ("bytes_per_event_total", s => Format.Exact(s.Bytes.PerEvent.Total)),
        ("lost", s => Format.Exact(s.Integrity.Lost)),
        ("duplicates", s => Format.Exact(s.Integrity.Duplicates)),
        ("reorders", s => Format.Exact(s.Integrity.Reorders)),
        ("reconnects", s => Format.Exact(s.Integrity.Reconnects)),
        ("errors", s => Format.Exact(s.Errors.Count)),
        ("error_rate", s => Format.Exact(s.Errors.Rate)),
        ("server_cpu_ms_per_1000_events", s => Optional(s.Server.CpuMsPer1000Events)),
        ("kib_per_connection", s => Optional(s.Server.KibPerConnection)),
        // Added after the columns above; kept last so scripts that index columns keep working.
        ("poll_interval_ms", s => Optional(s.PollIntervalMs)),
        ("latency_count", s => Format.Exact(s.Latency.Event.Count)),
        ("duration_s", s => Format.Exact(s.DurationSeconds)),
    ];

    public static IReadOnlyList<string> Columns { get; } = [.. ColumnDefinitions.Select(c => c.Name)];

    public static string Build(ResultsDocument results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var builder = new StringBuilder();
        Rfc4180.AppendRecord(builder, Columns);
        foreach (var scenario in results.Scenarios)
        {
            Rfc4180.AppendRecord(builder, ColumnDefinitions.Select(c => c.Value(scenario)));
        }

        return builder.ToString();
    }

    private static string Optional(double? value) => value is { } v ? Format.Exact(v) : string.Empty;
}
