using System.Net;
using System.Net.Sockets;
using System.Text;
using LoadBench.Engine.Metrics;
using LoadBench.Engine.Tests.TestSupport;
using LoadBench.Engine.Transports;
using LoadBench.Engine.Transports.Connections;
using LoadBench.Engine.Transports.Connections.EventLoop;
using Microsoft.Extensions.Time.Testing;

namespace LoadBench.Engine.Tests.Transports.Connections.EventLoop;

/// <summary>The event loop's poll connection against stubs whose every byte the test wrote, with the expectations
/// of <see cref="KeepAliveConnectionTests"/>: where a response ends, what is body, when the connection is reused or
/// sent again, how it fails, and that the meter saw exactly the stub's bytes.</summary>
public sealed class LoopKeepAliveConnectionTests
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]";

    // Every wait for an answer is bounded: a lost report fails the test instead of hanging the run.
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Send_ChunkedErrorThenContentLength_ReadsBothOnOneConnection()
    {
        const string gone = "HTTP/1.1 410 Gone\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync(gone, trickle: true, cancellationToken);
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync(Ok, trickle: false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        var counters = new ClientCounters();
        using var client = new Client(stub.Port, counters, TimeSpan.FromSeconds(30), TimeProvider.System);

        var first = await client.GetAsync(CancellationToken.None).WaitAsync(Bounded);
        Assert.Equal((410, true, "3\r\nabc\r\n0\r\n\r\n"), (first.Status, first.Chunked, first.Body));
        var second = await client.GetAsync(CancellationToken.None).WaitAsync(Bounded);

        Assert.Equal((200, false, "[]", false), (second.Status, second.Chunked, second.Body, second.Reconnected));
        Assert.Equal(1, stub.ConnectionsAccepted);
        var snapshot = counters.Snapshot();
        Assert.Equal(gone.Length + Ok.Length, snapshot.SocketBytesRead);
        Assert.Equal(2 * Request.Length, snapshot.SocketBytesWritten);
        // The stub counts a write once it returned, which can be after the client read it.
        await Wait.UntilAsync(() => stub.BytesSent == snapshot.SocketBytesRead, "the stub's count of its bytes to equal the client's");
    }

    [Fact]
    public async Task Send_ResponseCutAtEveryOffset_ReadsEachWholeOnOneConnection()
    {
        // One response with a head, a chunked body of two chunks and its end; answer i comes in two writes split
        // at byte i, with a pause between them so that the client sees the first part alone.
        const string response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n1\r\n]\r\n0\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(response);
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            for (var cut = 1; cut < bytes.Length; cut++)
            {
                await connection.ReadHeadAsync(cancellationToken);
                await connection.SendAsync(bytes[..cut], trickle: false, cancellationToken);
                await Task.Delay(2, cancellationToken);
                await connection.SendAsync(bytes[cut..], trickle: false, cancellationToken);
            }

            await connection.DrainAsync(cancellationToken);
        });
        var counters = new ClientCounters();
        using var client = new Client(stub.Port, counters, TimeSpan.FromSeconds(30), TimeProvider.System);

        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var answer = await client.GetAsync(CancellationToken.None).WaitAsync(Bounded);
            Assert.Equal((200, true, "1\r\n[\r\n1\r\n]\r\n0\r\n\r\n", false), (answer.Status, answer.Chunked, answer.Body, answer.Reconnected));
        }

        Assert.Equal(1, stub.ConnectionsAccepted);
        var snapshot = counters.Snapshot();
        Assert.Equal((bytes.Length - 1L) * bytes.Length, snapshot.SocketBytesRead);
        Assert.Equal((bytes.Length - 1L) * Request.Length, snapshot.SocketBytesWritten);
    }

    [Fact]
    public async Task Send_ThousandsOfRequests_KeepOneConnectionAndCountEveryByte()
    {
        const int requests = 3000;
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            while (await connection.ReadHeadAsync(cancellationToken) is not null)
            {
                await connection.SendAsync(Ok, false, cancellationToken);
            }
        });
        var counters = new ClientCounters();
        using var client = new Client(stub.Port, counters, TimeSpan.FromSeconds(30), TimeProvider.System);

        for (var i = 0; i < requests; i++)
        {
            var answer = await client.GetAsync(CancellationToken.None).WaitAsync(Bounded);
            Assert.Equal((200, "[]", false), (answer.Status, answer.Body, answer.Reconnected));
        }

        Assert.Equal(1, stub.ConnectionsAccepted);
        var snapshot = counters.Snapshot();
        Assert.Equal((long)requests * Ok.Length, snapshot.SocketBytesRead);
        Assert.Equal((long)requests * Request.Length, snapshot.SocketBytesWritten);
        await Wait.UntilAsync(() => stub.BytesReceived == snapshot.SocketBytesWritten, "the stub's count of the client's bytes to equal the client's");
    }

    [Fact]
    public async Task Send_TargetClosedTheIdleConnection_SendsAgainOnANewOneAndSaysSo()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync(Ok, false, cancellationToken);
            if (connection.Index == 0)
            {
                return; // closes the kept-alive connection while the client is idle
            }

            await connection.DrainAsync(cancellationToken);
        });
        using var client = new Client(stub.Port, new ClientCounters(), TimeSpan.FromSeconds(30), TimeProvider.System);

        Assert.False((await client.GetAsync(CancellationToken.None).WaitAsync(Bounded)).Reconnected);
        await Wait.UntilAsync(() => stub.ConnectionsAccepted == 1 && stub.Heads().Length == 1, "the stub to answer the first request");
        await Task.Delay(100); // let the stub's close reach the client's socket
        Assert.Equal(1, stub.ConnectionsAccepted); // between requests the close is only noted, nothing is sent
        var second = await client.GetAsync(CancellationToken.None).WaitAsync(Bounded);

        Assert.Equal((200, true), (second.Status, second.Reconnected));
        Assert.Equal(2, stub.ConnectionsAccepted);
    }

    [Fact]
    public async Task Send_TargetHalfClosedTheIdleConnection_SendsAtOnceOnANewOneWithoutWaitingForTheDeadline()
    {
        // The FIN comes while the client is idle; the old connection then takes the request without answering (or
        // resetting), so only the idle edge tells the client: a lost edge would wait for the 30 s deadline.
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync(Ok, false, cancellationToken);
            if (connection.Index == 0)
            {
                connection.ShutDownSend();
            }

            await connection.DrainAsync(cancellationToken);
        });
        using var client = new Client(stub.Port, new ClientCounters(), TimeSpan.FromSeconds(30), TimeProvider.System);

        Assert.False((await client.GetAsync(CancellationToken.None).WaitAsync(Bounded)).Reconnected);
        await Task.Delay(100); // let the stub's FIN reach the client's socket
        var second = await client.GetAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((200, true), (second.Status, second.Reconnected));
        Assert.Equal(2, stub.ConnectionsAccepted);
    }

    [Fact]
    public async Task Dispose_RequestInFlight_ReportsCancelledAndASendAfterOpensNothing()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) => await connection.DrainAsync(cancellationToken));
        var client = new Client(stub.Port, new ClientCounters(), TimeSpan.FromSeconds(30), TimeProvider.System);

        var pending = client.GetAsync(CancellationToken.None);
        await Wait.UntilAsync(() => stub.BytesReceived == Request.Length, "the stub to get the request");
        client.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        var after = client.GetAsync(CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => after.WaitAsync(TimeSpan.FromSeconds(10)));
        await Task.Delay(100); // a connect, had one been started, would have been accepted by now
        Assert.Equal(1, stub.ConnectionsAccepted);
    }

    [Fact]
    public async Task Send_OwnerThrowsOnTheLoopThread_OnlyThatConnectionEndsAndTheNextRequestReconnects()
    {
        // An exception escaping onto the loop's thread would end the test host: the loop's last resort closes the
        // connection instead, and the next request opens a new one.
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            while (await connection.ReadHeadAsync(cancellationToken) is not null)
            {
                await connection.SendAsync(Ok, false, cancellationToken);
            }
        });
        using var client = new Client(stub.Port, new ClientCounters(), TimeSpan.FromSeconds(30), TimeProvider.System) { ThrowAfterAnswer = true };

        Assert.Equal(200, (await client.GetAsync(CancellationToken.None).WaitAsync(Bounded)).Status);
        await Wait.UntilAsync(() => client.Threw, "the owner to throw on the loop's thread");
        var next = await client.GetAsync(CancellationToken.None).WaitAsync(Bounded);

        Assert.Equal(200, next.Status);
        Assert.Equal(2, stub.ConnectionsAccepted);
    }

    [Fact]
    public async Task Send_ConnectionClosedMidResponse_FailsWithResponseEnded()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n[]", false, cancellationToken);
        });
        using var client = new Client(stub.Port, new ClientCounters(), TimeSpan.FromSeconds(30), TimeProvider.System);

        var error = await Assert.ThrowsAsync<HttpIOException>(() => client.GetAsync(CancellationToken.None).WaitAsync(Bounded));

        Assert.Equal(ErrorKinds.ResponseEnded, ErrorKinds.Classify(error));
    }

    [Fact]
    public async Task Send_BytesAfterTheResponse_FailsWithBadResponse()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync(Ok + "junk", false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        using var client = new Client(stub.Port, new ClientCounters(), TimeSpan.FromSeconds(30), TimeProvider.System);

        var error = await Assert.ThrowsAsync<HttpIOException>(() => client.GetAsync(CancellationToken.None).WaitAsync(Bounded));

        Assert.Equal(ErrorKinds.BadResponse, ErrorKinds.Classify(error));
    }

    [Fact]
    public async Task Send_NoAnswerWithinTheTimeout_FailsWithTimeoutAndTheNextRequestReconnects()
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
        using var client = new Client(stub.Port, new ClientCounters(), TimeSpan.FromMilliseconds(300), TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Within(client.GetAsync(CancellationToken.None)));
        var next = await client.GetAsync(CancellationToken.None).WaitAsync(Bounded);

        Assert.Equal(ErrorKinds.Timeout, ErrorKinds.Classify(error));
        Assert.Equal((204, false), (next.Status, next.Reconnected));
        Assert.Equal(2, stub.ConnectionsAccepted);
    }

    [Fact]
    public async Task Send_DeadlinePassesOnTheClientsClock_FailsOnlyOnceTheWatchdogSeesIt()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) => await connection.DrainAsync(cancellationToken));
        var time = new FakeTimeProvider();
        var timeout = TimeSpan.FromSeconds(30);
        using var client = new Client(stub.Port, new ClientCounters(), timeout, time);

        var get = client.GetAsync(CancellationToken.None);
        await Wait.UntilAsync(() => stub.BytesReceived == Request.Length, "the stub to get the request");
        time.Advance(timeout - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.False(get.IsCompleted);
        time.Advance(KeepAliveConnection.WatchPeriod(timeout) + TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Within(get));
        Assert.Equal(ErrorKinds.Timeout, ErrorKinds.Classify(error));
    }

    [Fact]
    public async Task Send_TokenFiresWhileWaiting_ReportsCancelledNotAnError()
    {
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.ReadHeadAsync(cancellationToken);
            await connection.SendAsync(Ok, false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        using var client = new Client(stub.Port, new ClientCounters(), TimeSpan.FromSeconds(30), TimeProvider.System);
        using var phase = new CancellationTokenSource();

        Assert.Equal(200, (await client.GetAsync(phase.Token).WaitAsync(Bounded)).Status);
        var pending = client.GetAsync(phase.Token);
        await Wait.UntilAsync(() => stub.BytesReceived == 2 * Request.Length, "the stub to get the second request");
        await phase.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Bounded));
    }

    [Fact]
    public async Task Send_NothingListens_FailsWithConnectionRefused()
    {
        var port = FreePort();
        using var client = new Client(port, new ClientCounters(), TimeSpan.FromSeconds(30), TimeProvider.System);

        var error = await Assert.ThrowsAsync<SocketException>(() => client.GetAsync(CancellationToken.None).WaitAsync(Bounded));

        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    /// <summary>Bounded like <c>WaitAsync(Bounded)</c>, but for the tests that expect a <see cref="TimeoutException"/>:
    /// the bound fails the test instead of throwing one.</summary>
    private static async Task<T> Within<T>(Task<T> task)
    {
        if (await Task.WhenAny(task, Task.Delay(Bounded)) != task)
        {
            Assert.Fail($"No report within {Bounded.TotalSeconds} s.");
        }

        return await task;
    }

    private static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private sealed record Answer(int Status, bool Chunked, string Body, bool Reconnected);

    /// <summary>The connection's owner as a test would write it: one request at a time, each outcome a task.</summary>
    private sealed class Client : IKeepAliveLoopOwner, IDisposable
    {
        private readonly LoopKeepAliveConnection _connection;
        private TaskCompletionSource<Answer>? _pending;

        public Client(int port, ClientCounters counters, TimeSpan timeout, TimeProvider time)
        {
            _connection = new LoopKeepAliveConnection(new IPEndPoint(IPAddress.Loopback, port), new WireMeter(counters), timeout, time, policy: null, this);
        }

        public Task<Answer> GetAsync(CancellationToken cancellationToken)
        {
            _pending = new TaskCompletionSource<Answer>(TaskCreationOptions.RunContinuationsAsynchronously);
            var answer = _pending.Task;
            _connection.Send(Request, cancellationToken);
            return answer;
        }

        /// <summary>Throw from the next answer's callback, once, after taking the answer.</summary>
        public bool ThrowAfterAnswer { get; set; }

        public bool Threw { get; private set; }

        public void Answered(in KeepAliveResponse response)
        {
            _pending!.TrySetResult(new Answer(response.Status, response.Chunked, Encoding.ASCII.GetString(response.Body.Span), response.Reconnected));
            if (ThrowAfterAnswer)
            {
                ThrowAfterAnswer = false;
                Threw = true;
                throw new InvalidOperationException("A bug in the owner.");
            }
        }

        public void Failed(Exception exception) => _pending!.TrySetException(exception);

        public void Cancelled() => _pending!.TrySetCanceled();

        public void Dispose() => _connection.Dispose();
    }
}
