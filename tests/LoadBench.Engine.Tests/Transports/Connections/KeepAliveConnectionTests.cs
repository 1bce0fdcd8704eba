using System.Text;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Tests.Transports.Connections;

/// <summary>The raw poll connection against stubs whose every byte the test wrote: where a response ends, what
/// is body, when the connection is reused, and that the meter saw exactly the stub's bytes.</summary>
public sealed class KeepAliveConnectionTests
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");

    [Fact]
    public async Task GetAsync_ChunkedErrorThenContentLength_ReadsBothOnOneConnection()
    {
        // A chunked 410 (what a problem+json answer looks like from Kestrel), then a Content-Length 200.
        const string gone = "HTTP/1.1 410 Gone\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        const string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]";
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync(gone, trickle: true, cancellationToken);
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync(ok, trickle: false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        var counters = new ClientCounters();
        using var connection = new KeepAliveConnection("127.0.0.1", stub.Port, new WireMeter(counters), TimeSpan.FromSeconds(30), TimeProvider.System);

        var first = await connection.GetAsync(Request, CancellationToken.None);
        Assert.Equal((410, true, "3\r\nabc\r\n0\r\n\r\n"), (first.Status, first.Chunked, Encoding.ASCII.GetString(first.Body.Span)));
        var second = await connection.GetAsync(Request, CancellationToken.None);

        Assert.Equal((200, false, "[]", false), (second.Status, second.Chunked, Encoding.ASCII.GetString(second.Body.Span), second.Reconnected));
        Assert.Equal(1, stub.ConnectionsAccepted);
        var snapshot = counters.Snapshot();
        Assert.Equal(gone.Length + ok.Length, snapshot.SocketBytesRead);
        Assert.Equal(2 * Request.Length, snapshot.SocketBytesWritten);
        Assert.Equal(stub.BytesSent, snapshot.SocketBytesRead);
    }

    [Fact]
    public async Task GetAsync_TargetClosedTheIdleConnection_SendsAgainOnANewOneAndSaysSo()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]", false, cancellationToken);
            if (connection.Index == 0)
            {
                return; // closes the kept-alive connection while the client is idle
            }

            await connection.DrainAsync(cancellationToken);
        });
        using var connection = new KeepAliveConnection("127.0.0.1", stub.Port, new WireMeter(new ClientCounters()), TimeSpan.FromSeconds(30), TimeProvider.System);

        Assert.False((await connection.GetAsync(Request, CancellationToken.None)).Reconnected);
        await Wait.UntilAsync(() => stub.ConnectionsAccepted == 1 && stub.Heads().Length == 1, "the stub to answer the first request");
        await Task.Delay(100); // let the stub's close reach the client's socket
        var second = await connection.GetAsync(Request, CancellationToken.None);

        Assert.True(second.Reconnected);
        Assert.Equal(200, second.Status);
        Assert.Equal(2, stub.ConnectionsAccepted);
    }

    [Fact]
    public async Task GetAsync_ConnectionClosedMidResponse_ThrowsResponseEnded()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n[]", false, cancellationToken);
        });
        using var connection = new KeepAliveConnection("127.0.0.1", stub.Port, new WireMeter(new ClientCounters()), TimeSpan.FromSeconds(30), TimeProvider.System);

        var error = await Assert.ThrowsAsync<HttpIOException>(() => connection.GetAsync(Request, CancellationToken.None).AsTask());

        Assert.Equal(ErrorKinds.ResponseEnded, ErrorKinds.Classify(error));
    }

    [Fact]
    public async Task GetAsync_NoAnswerWithinTheTimeout_ThrowsTimeoutAndTheNextCallReconnects()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            if (connection.Index > 0)
            {
                await connection.SendAsync("HTTP/1.1 204 No Content\r\n\r\n", false, cancellationToken);
            }

            await connection.DrainAsync(cancellationToken);
        });
        using var connection = new KeepAliveConnection("127.0.0.1", stub.Port, new WireMeter(new ClientCounters()), TimeSpan.FromMilliseconds(300), TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => connection.GetAsync(Request, CancellationToken.None).AsTask());
        var next = await connection.GetAsync(Request, CancellationToken.None);

        Assert.Equal(ErrorKinds.Timeout, ErrorKinds.Classify(error));
        Assert.Equal((204, false), (next.Status, next.Reconnected));
        Assert.Equal(2, stub.ConnectionsAccepted);
    }

    [Fact]
    public async Task GetAsync_CallerCancels_ThrowsOperationCanceled()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) => await connection.DrainAsync(cancellationToken));
        using var connection = new KeepAliveConnection("127.0.0.1", stub.Port, new WireMeter(new ClientCounters()), TimeSpan.FromSeconds(30), TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.GetAsync(Request, cancel.Token).AsTask());
    }

    [Fact]
    public async Task GetAsync_BytesAfterTheResponse_ThrowsBadResponse()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]junk", false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        using var connection = new KeepAliveConnection("127.0.0.1", stub.Port, new WireMeter(new ClientCounters()), TimeSpan.FromSeconds(30), TimeProvider.System);

        var error = await Assert.ThrowsAsync<HttpIOException>(() => connection.GetAsync(Request, CancellationToken.None).AsTask());

        Assert.Equal(ErrorKinds.BadResponse, ErrorKinds.Classify(error));
    }
}
