using System.Net.WebSockets;

namespace LoadBench.Target.WebSockets;

/// <summary>
/// The feed's WebSocket is receive-only: a client may send close, ping and pong, nothing else. The receive loop
/// shows this class every data read; on the first whole message (or as soon as one passes
/// <see cref="Hosting.SafeLimits.MaxWebSocketClientMessageBytes"/>) it decides the close — 1008 policy violation,
/// or 1009 message too big — and stops the sending side, which then closes with it. Nothing is kept: the loop
/// reads into its one small buffer, so a client flooding frames or sending a huge one costs no memory.
/// </summary>
internal sealed class ReceiveOnlyPolicy(int maxMessageBytes, CancellationTokenSource stopSending)
{
    private long _messageBytes;
    private bool _receiveEnded;

    /// <summary>The close to send instead of the feed's own; null while the client behaved.</summary>
    public (WebSocketCloseStatus Status, string? Description)? Refusal { get; private set; }

    /// <summary>The receive loop has ended: the client closed, or the connection failed. Set before the follow is cancelled.</summary>
    public bool ReceiveEnded
    {
        get => Volatile.Read(ref _receiveEnded);
        set => Volatile.Write(ref _receiveEnded, value);
    }

    public void Observe(ValueWebSocketReceiveResult result)
    {
        if (Refusal is not null)
        {
            // Already refused: the rest is read only to reach the client's close frame.
            return;
        }

        _messageBytes += result.Count;
        if (_messageBytes > maxMessageBytes)
        {
            Refuse(WebSocketCloseStatus.MessageTooBig, $"message over {maxMessageBytes} bytes; the feed is receive-only");
        }
        else if (result.EndOfMessage)
        {
            Refuse(WebSocketCloseStatus.PolicyViolation, "the feed is receive-only: send nothing but close");
        }
    }

    private void Refuse(WebSocketCloseStatus status, string description)
    {
        Refusal = (status, description);
        stopSending.Cancel();
    }
}
