using LoadBench.Contracts;
using LoadBench.Reporting.Tests.TestSupport;
using LoadBench.Results;

namespace LoadBench.Reporting.Tests.Csv;

public sealed class SummaryCsvTests
{
    [Fact]
    public void SummaryCsvText_NameWithCommaQuoteAndNewline_RoundTripsThroughAnRfc4180Reader()
    {
        const string awkward = "sse, \"fast\"\r\nrun";
        var scenario = SampleResults.Scenario(TransportIds.Sse, 10) with { Name = awkward };
        var text = ReportWriter.SummaryCsvText(new ResultsDocument { Environment = SampleResults.Environment(), Scenarios = [scenario] });

        var records = CsvReader.Parse(text);
        Assert.Equal(2, records.Count);
        Assert.Equal(awkward, records[1][0]);
        Assert.Contains("\"sse, \"\"fast\"\"\r\nrun\"", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SummaryCsvColumns_AreTheDocumentedStableOrder()
    {
        Assert.Equal(
            ["scenario", "transport", "clients", "publish_rate_per_s", "payload_bytes",
             "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_p999_ms", "latency_max_ms",
             "events_delivered", "events_per_s", "requests", "requests_per_s", "empty_share",
             "bytes_per_event_payload", "bytes_per_event_framing", "bytes_per_event_headers", "bytes_per_event_total",
             "lost", "duplicates", "reorders", "reconnects", "errors", "error_rate",
             "server_cpu_ms_per_1000_events", "kib_per_connection", "poll_interval_ms", "latency_count", "duration_s"],
            ReportWriter.SummaryCsvColumns);
    }

    [Fact]
    public void SummaryCsvText_FractionalValues_UseInvariantDecimalPoint()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            // A culture with a decimal comma must not leak into the file (it would also break the columns).
            var decimalComma = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
            decimalComma.NumberFormat.NumberDecimalSeparator = ",";
            Thread.CurrentThread.CurrentCulture = decimalComma;
            var text = ReportWriter.SummaryCsvText(SampleResults.Create());
            var row = CsvReader.Parse(text).Single(r => r[0] == "sse_10_clients");
            Assert.Equal("0.5", row[17]); // bytes_per_event_headers
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }
}
