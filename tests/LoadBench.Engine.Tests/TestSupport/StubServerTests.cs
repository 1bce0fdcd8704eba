using System.Net.Sockets;

namespace LoadBench.Engine.Tests.TestSupport;

/// <summary>
/// The stub's "nothing in flight" signal that byte-exact tests wait for. Equal byte counts on both ends are not
/// enough: a trickling stub pauses between writes, and in that pause the counts agree although more is coming
/// (an SSE chunk's closing CRLF arrives after the event the client already parsed; stopping there lost 1–2
/// framing bytes in StubTricklesOneBytePerWrite under load).
/// </summary>
public sealed class StubServerTests
{
    [Fact]
    public async Task Quiet_PauseBetweenWritesWithCountsEqual_IsFalseUntilTheHandlerWaitsForTheClient()
    {
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var stub = new StubServer(async (connection, cancellationToken) =>
        {
            await connection.SendAsync([(byte)'a'], trickle: false, cancellationToken);
            await resume.Task.WaitAsync(cancellationToken); // a pause in the middle of what it has to say
            await connection.SendAsync([(byte)'b'], trickle: false, cancellationToken);
            await connection.DrainAsync(cancellationToken);
        });
        using var client = new TcpClient();
        await client.ConnectAsync(stub.BaseUri.Host, stub.Port);
        var stream = client.GetStream();
        var buffer = new byte[1];

        await stream.ReadExactlyAsync(buffer);
        await Wait.UntilAsync(() => stub.BytesSent == 1, "the stub to count its first byte");

        // Both ends agree on every byte so far, yet the stub has more to send.
        Assert.False(stub.Quiet);

        resume.SetResult();
        await stream.ReadExactlyAsync(buffer);
        await Wait.UntilAsync(() => stub.Quiet, "the stub to wait for the client");
        Assert.Equal(2, stub.BytesSent);
    }
}
