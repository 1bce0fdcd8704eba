using System.Text.Json;
using LoadBench.Engine.Distributed.Messages;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Running;

namespace LoadBench.Engine.Tests.Distributed;

/// <summary>What crosses NATS between coordinator and agents keeps every figure and address a single process has.</summary>
public sealed class AgentWireTests
{
    [Fact]
    public void CountersWire_CarriesTheTlsPartAndTheDecodedBytes_ThroughJson()
    {
        var counters = new ClientCounters();
        counters.EventDelivered(250);
        counters.CompressedPayload(90);
        counters.UncompressedPayload(250);
        counters.DecodedBody(270);
        counters.Framing(12);
        counters.Headers(300);
        counters.Tls(1234);
        var snapshot = counters.Snapshot();

        var json = JsonSerializer.Serialize(CountersWire.From(snapshot), DistributedJson.Default.CountersWire);
        var back = JsonSerializer.Deserialize(json, DistributedJson.Default.CountersWire)!.ToSnapshot();

        Assert.Equal(1234, back.TlsBytes);
        Assert.Equal(250, back.UncompressedPayloadBytes);
        Assert.Equal(270, back.DecodedBodyBytes);
        Assert.Equal(snapshot.PayloadBytes, back.PayloadBytes);
        Assert.Equal(snapshot with { Errors = back.Errors }, back);
    }

    [Fact]
    public void JoinRequest_CarriesTheEndpointsAndFingerprint_AndTheAgentChecksTheirAddresses()
    {
        var endpoints = new ClientEndpoints(new Uri("http://127.0.0.1:5080/"), new Uri("http://127.0.0.1:5081/"), new Uri("https://127.0.0.1:5443/"), "AB12");
        var join = new JoinRequest("run1", "http://127.0.0.1:5080/", null, EndpointsWire.From(endpoints));

        var json = JsonSerializer.Serialize(join, DistributedJson.Default.JoinRequest);
        var back = JsonSerializer.Deserialize(json, DistributedJson.Default.JoinRequest)!;

        Assert.Equal(endpoints, back.Endpoints!.ToEndpoints(new Uri("http://127.0.0.1:5080/"), allowNonLoopback: false));
        // An agent sends load to loopback only unless told otherwise, whichever endpoint the coordinator names.
        var remote = back.Endpoints with { Https = "https://192.0.2.1:5443/" };
        Assert.Throws<ArgumentException>(() => remote.ToEndpoints(new Uri("http://127.0.0.1:5080/"), allowNonLoopback: false));
    }
}
