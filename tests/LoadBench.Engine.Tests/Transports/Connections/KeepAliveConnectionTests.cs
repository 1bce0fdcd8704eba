using System.Text;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using LoadBench.Engine.Transports.Connections;
using Microsoft.Extensions.Time.Testing;

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
    public async Task GetAsync_DeadlinePassesOnTheClientsClock_ThrowsTimeoutOnlyOnceTheWatchdogSeesIt()
    {
        // The stub never answers. The watchdog ticks every quarter of the timeout on the fake clock: at the timeout
        // itself the request may still stand (its tick has not come), one tick later it must be gone.
        await using var stub = new StubServer(async (connection, cancellationToken) => await connection.DrainAsync(cancellationToken));
        var time = new FakeTimeProvider();
        var timeout = TimeSpan.FromSeconds(30);
        using var connection = new KeepAliveConnection("127.0.0.1", stub.Port, new WireMeter(new ClientCounters()), timeout, time);

        var get = connection.GetAsync(Request, CancellationToken.None).AsTask();
        await Wait.UntilAsync(() => stub.BytesReceived == Request.Length, "the stub to get the request");
        time.Advance(timeout - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.False(get.IsCompleted);
        time.Advance(KeepAliveConnection.WatchPeriod(timeout) + TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => get);
        Assert.Equal(ErrorKinds.Timeout, ErrorKinds.Classify(error));
    }

    [Fact]
    public async Task GetAsync_AnsweredRequests_AreNotTouchedByTheWatchdog()
    {
        // Each request is answered at once; the clock then jumps past the timeout between requests: an idle
        // connection has no deadline, so it stays open and every request finds it.
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            while (await connection.ReadHeadAsync(cancellationToken) is not null)
            {
                await connection.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]", false, cancellationToken);
            }
        });
        var time = new FakeTimeProvider();
        var timeout = TimeSpan.FromSeconds(30);
        using var connection = new KeepAliveConnection("127.0.0.1", stub.Port, new WireMeter(new ClientCounters()), timeout, time);

        for (var i = 0; i < 3; i++)
        {
            var response = await connection.GetAsync(Request, CancellationToken.None);
            Assert.Equal((200, false), (response.Status, response.Reconnected));
            time.Advance(timeout * 2);
        }

        Assert.Equal(1, stub.ConnectionsAccepted);
    }

    [Fact]
    public async Task GetAsync_SameTokenEveryCall_CancellingItEndsThePendingCall()
    {
        // The token is registered once for the connection (not once per request); firing it closes the socket
        // under the request in flight, which ends as a cancellation, not as a network error.
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]", false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        using var connection = new KeepAliveConnection("127.0.0.1", stub.Port, new WireMeter(new ClientCounters()), TimeSpan.FromSeconds(30), TimeProvider.System);
        using var phase = new CancellationTokenSource();

        Assert.Equal(200, (await connection.GetAsync(Request, phase.Token)).Status);
        var pending = connection.GetAsync(Request, phase.Token).AsTask();
        await Wait.UntilAsync(() => stub.BytesReceived == 2 * Request.Length, "the stub to get the second request");
        await phase.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.Equal(phase.Token, error.CancellationToken);
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
