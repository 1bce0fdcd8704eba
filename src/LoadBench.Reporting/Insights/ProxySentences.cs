using LoadBench.Contracts;
using LoadBench.Reporting.Model;
using LoadBench.Results;

namespace LoadBench.Reporting.Insights;

/// <summary>
/// What a proxy did to the scenarios run through one (<c>setup.via</c>): which leg each byte figure is, nginx's part
/// of the server cost, and the two pitfalls of <c>deploy/nginx/</c> — buffering turns an SSE stream into bursts,
/// an idle timeout shorter than the heartbeat cuts streams — each said once, with the numbers.
/// </summary>
internal static class ProxySentences
{
    /// <summary>The push-ready configuration and the pitfalls, by their names in deploy/nginx/.</summary>
    private const string PushReady = "loadbench";
    private const string BufferingOn = "sse-buffering-on";
    private const string IdleShort = "idle-timeout-short";
    private const string IdleLong = "idle-timeout-long";

    private const int MaxCostSentences = 4;

    public static IEnumerable<string> Sentences(ResultsDocument results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var proxied = results.Scenarios.Where(s => Via(s) != "direct").ToList();
        if (proxied.Count == 0)
        {
            yield break;
        }

        yield return "Through a proxy, the bytes per event are the client ↔ proxy leg and \"at the targets\" the proxy ↔ target leg; " +
            "TLS and HTTP/2 apply to the client ↔ proxy leg only, since nginx speaks plain HTTP/1.x to the target.";

        foreach (var s in proxied.Where(ProxyLegs.LegsDiffer).Take(MaxCostSentences))
        {
            var tls = s.Bytes.PerEvent.Tls is { } perEvent ? $", {Format.Bytes(perEvent)} B of them TLS" : "";
            var target = s.ServerBytes is { } server ? $", against {Format.Bytes(server.PerEvent.Total)} B at the target" : "";
            yield return $"In {s.Name}, {ProxyLegs.Legs(s)}: {Format.Bytes(s.Bytes.PerEvent.Total)} B per event on the client leg{tls}{target}.";
        }

        foreach (var s in proxied.Where(s => s.Proxy is { CpuMsPer1000Events: not null }).Take(MaxCostSentences))
        {
            var proxy = s.Proxy!;
            var share = s.Server.CpuMs > 0 ? $" ({Format.Percent(proxy.CpuMs / s.Server.CpuMs)})" : "";
            var memory = proxy.KibPerConnection is { } kib ? $"; nginx held {Format.Bytes(kib)} KiB per connection" : "";
            yield return $"In {s.Name}, the server cost of {Format.Ms(s.Server.CpuMsPer1000Events ?? 0)} ms CPU per 1,000 events includes " +
                $"nginx's {Format.Ms(proxy.CpuMsPer1000Events!.Value)} ms{share}{memory}.";
        }

        foreach (var s in proxied.Where(s => Via(s) == BufferingOn))
        {
            var off = results.Scenarios.FirstOrDefault(o => o.Transport == s.Transport && o.Clients == s.Clients
                && o.PublishRatePerSecond.Equals(s.PublishRatePerSecond) && o.PayloadBytes == s.PayloadBytes && Via(o) is PushReady or "direct");
            var against = off is null ? "" :
                $", against {Format.Ms(off.Latency.Event.P50Ms)} ms and {Format.Ms(off.Latency.Event.P99Ms)} ms with buffering off ({off.Name})";
            // Events still in a buffer when the publisher paused for the drain stay there (no buffer fills any more):
            // the engine counts them lost, and this is why.
            var stuck = s.Integrity.Lost > 0
                ? $" The {Format.Count(s.Integrity.Lost)} {Wording.Plural(s.Integrity.Lost, "event")} counted lost were still in nginx's buffers when the publisher paused: " +
                  "with no more events to fill a buffer, they never left it."
                : "";
            yield return $"With proxy_buffering on ({s.Name}), nginx held the {TransportIds.DisplayName(s.Transport)} stream in its buffers and passed " +
                $"events on in bursts when a buffer filled: p50 {Format.Ms(s.Latency.Event.P50Ms)} ms and p99 {Format.Ms(s.Latency.Event.P99Ms)} ms{against} " +
                "— a buffer's fill time, second after second in the latency over time; a push location needs proxy_buffering off." + stuck;
        }

        foreach (var s in proxied.Where(s => Via(s) is IdleShort or IdleLong))
        {
            var heartbeat = s.Setup?.HeartbeatMs is { } ms ? $"the heartbeat ({Format.Ms(ms)} ms)" : "the quiet between events (no heartbeat)";
            var integrity = $"{Format.Count(s.Integrity.Reconnects)} {Wording.Plural(s.Integrity.Reconnects, "reconnect")} over {Format.Count(s.Clients)} clients, " +
                $"{Format.Count(s.Integrity.Lost)} {Wording.Plural(s.Integrity.Lost, "event")} lost";
            yield return Via(s) == IdleShort
                ? $"In {s.Name}, nginx's idle timeout, shorter than {heartbeat}, cut every quiet stream: {integrity} " +
                  "(each client resumed after its last event) — every cut costs a new connection and its headers, so keep proxy_read_timeout above the heartbeat."
                : $"In {s.Name}, nginx's idle timeout, longer than {heartbeat}, kept the quiet streams open: {integrity}.";
        }
    }

    private static string Via(ScenarioResult s) => s.Setup?.Via ?? "direct";
}
