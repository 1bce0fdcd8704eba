using HdrHistogram;
using LoadBench.Engine.Distributed.Messages;
using LoadBench.Results;
using NATS.Client.Core;

namespace LoadBench.Engine.Distributed.Coordinator;

/// <summary>
/// The coordinator's live view: each agent's per-second tick (its interval histogram and counters) is added into
/// that second's sum, and the newest second is what the display shows — p99 from the added histograms, events/s and
/// clients summed. A view only: the results come from the agents' full reports, not from these ticks.
/// </summary>
internal sealed class LiveProgress(INatsSub<byte[]> ticks) : IAsyncDisposable
{
    private readonly Dictionary<(int Scenario, string Phase, int Second), Second> _seconds = [];

    public static async Task<LiveProgress> SubscribeAsync(NatsChannel channel, string runId, CancellationToken cancellationToken) =>
        new(await channel.SubscribeAsync(Subjects.Ticks(runId), cancellationToken));

    /// <summary>The newest second of <paramref name="scenario"/> that all <paramref name="agents"/> have reported (else the
    /// newest heard at all), its ticks added.</summary>
    public (string Phase, double EventsPerSecond, double P99Ms, int Clients, int Agents)? Latest(int scenario, int agents)
    {
        while (ticks.Msgs.TryRead(out var message))
        {
            if (NatsChannel.Read(message, DistributedJson.Default.AgentTick) is not { } tick)
            {
                continue;
            }

            var key = (tick.ScenarioIndex, tick.Phase, tick.Second);
            if (!_seconds.TryGetValue(key, out var second))
            {
                second = new Second();
                _seconds[key] = second;
            }

            second.Histogram.Add(HistogramCodec.Decode(tick.Histogram));
            second.EventsPerSecond += tick.EventsPerSecond;
            second.Clients += tick.Clients;
            second.Agents++;
            second.Order = ++_order;
        }

        var heard = _seconds.Where(s => s.Key.Scenario == scenario).OrderByDescending(s => s.Value.Order).Select(s => (s.Key, s.Value)).ToList();
        var newest = heard.FirstOrDefault(s => s.Value.Agents >= agents);
        if (newest.Value is null)
        {
            newest = heard.FirstOrDefault();
        }

        if (newest.Value is null)
        {
            return null;
        }

        var (key2, latest) = newest;
        return (key2.Phase, latest.EventsPerSecond, LatencySummaries.PercentileMs(latest.Histogram, 99), latest.Clients, latest.Agents);
    }

    private long _order;

    public ValueTask DisposeAsync() => ticks.DisposeAsync();

    private sealed class Second
    {
        public HistogramBase Histogram { get; } = HistogramCodec.NewHistogram();
        public double EventsPerSecond { get; set; }
        public int Clients { get; set; }
        public int Agents { get; set; }
        public long Order { get; set; }
    }
}
