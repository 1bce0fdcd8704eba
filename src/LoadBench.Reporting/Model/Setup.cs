using System.Globalization;
using LoadBench.Results;

namespace LoadBench.Reporting.Model;

/// <summary>
/// What was run, apart from the transport: the scenarios that share a setup are the ones a reader compares
/// side by side (the same clients, publish rate and payload, driven over different transports).
/// </summary>
internal readonly record struct Setup(int Clients, double RatePerSecond, int PayloadBytes)
{
    public static Setup Of(ScenarioResult scenario) =>
        new(scenario.Clients, scenario.PublishRatePerSecond, scenario.PayloadBytes);

    /// <summary>"100 clients · 10 events/s · 256 B payload".</summary>
    public string Describe() =>
        $"{Format.Count(Clients)} {(Clients == 1 ? "client" : "clients")} · {Format.Rate(RatePerSecond)} events/s · {Format.Count(PayloadBytes)} B payload";

    /// <summary>"100 clients, 10 events/s and a 256 B payload".</summary>
    public string DescribeInSentence() =>
        $"{Format.Count(Clients)} {(Clients == 1 ? "client" : "clients")}, {Format.Rate(RatePerSecond)} events/s and a {Format.Count(PayloadBytes)} B payload";

    /// <summary>A file-name part: "100c-10eps-256B".</summary>
    public string Slug() =>
        string.Create(CultureInfo.InvariantCulture, $"{Clients}c-{RatePerSecond:0.###}eps-{PayloadBytes}B");
}
