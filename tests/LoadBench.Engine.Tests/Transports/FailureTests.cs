using System.Net;
using System.Net.Sockets;
using LoadBench.Contracts;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;

namespace LoadBench.Engine.Tests.Transports;

/// <summary>Failures are counted by kind, the client backs off and tries again, and it never leaves loopback.</summary>
public sealed class FailureTests
{
    public static TheoryData<string> Transports => [.. TransportIds.All];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RunAsync_NothingListening_CountsConnectRefusedAndRetries(string transport)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // the port is now closed: connecting is refused at once

        await using var client = FeedClientFactory.Create(new FeedClientOptions(new Uri($"http://127.0.0.1:{port}/"), transport, new LatencyRecorders()));
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(() => client.Counters.Snapshot().Errors.GetValueOrDefault(ErrorKinds.ConnectRefused) >= 2, "two refused connects");
        await stop.CancelAsync();
        await run;

        var counters = client.Counters.Snapshot();
        Assert.Equal(counters.ErrorCount, counters.Errors[ErrorKinds.ConnectRefused]);
        Assert.True(counters.Reconnects >= 1);
        Assert.Equal(0, counters.SocketBytesRead + counters.SocketBytesWritten);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task RunAsync_TargetAnswers503_CountsHttp503AndRetries(string transport)
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            while (await connection.ReadHeadAsync(cancellationToken) is not null)
            {
                await connection.SendAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", false, cancellationToken);
            }
        });
        await using var client = FeedClientFactory.Create(new FeedClientOptions(stub.BaseUri, transport, new LatencyRecorders()));
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(stop.Token);
        await Wait.UntilAsync(() => client.Counters.Snapshot().Errors.GetValueOrDefault("http_503") >= 2, "two 503 answers");
        await stop.CancelAsync();
        await run;

        var counters = client.Counters.Snapshot();
        Assert.Equal(counters.ErrorCount, counters.Errors["http_503"]);
        Assert.True(counters.Reconnects >= 1);
        Assert.Equal(0, counters.EventsDelivered);
    }

    [Theory]
    [InlineData("http://example.com/")]
    [InlineData("http://10.0.0.1:5000/")]
    [InlineData("http://[2001:db8::1]:5000/")]
    [InlineData("https://127.0.0.1:5000/")]
    public void Create_NotPlainHttpOnLoopback_Throws(string target)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            FeedClientFactory.Create(new FeedClientOptions(new Uri(target), TransportIds.Sse, new LatencyRecorders())));
        Assert.Contains(new Uri(target).Scheme == "https" ? "http://" : "loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownTransport_NamesTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            FeedClientFactory.Create(new FeedClientOptions(new Uri("http://127.0.0.1:1/"), "carrier-pigeon", new LatencyRecorders())));
        Assert.Contains("poll, longpoll, sse, ws", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SocketError.TooManyOpenSockets, "fd_limit")]
    [InlineData(SocketError.ConnectionRefused, "connect_refused")]
    [InlineData(SocketError.ConnectionReset, "connection_reset")]
    public void Classify_SocketErrorUnderHttpRequestException_NamesIt(SocketError error, string kind)
    {
        var exception = new HttpRequestException(HttpRequestError.ConnectionError, "failed", new SocketException((int)error));

        Assert.Equal(kind, ErrorKinds.Classify(exception));
    }
}
