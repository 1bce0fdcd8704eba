using System.Buffers.Binary;

namespace LoadBench.Target.WebSockets;

/// <summary>
/// A server's uncompressed text message as one frame (RFC 6455 §5.2): FIN and opcode 1, no mask, the payload
/// length in 7, 7+16 or 7+64 bits, then the payload — the bytes the runtime's WebSocket writes for
/// <c>SendAsync(payload, Text, endOfMessage: true)</c> on a server socket without compression (tested byte for byte).
/// Every subscriber gets the same frame for an event, so the feed writes it with no per-subscriber framing beyond
/// these 2 to 10 header bytes.
/// </summary>
internal static class WebSocketFrames
{
    private const byte FinText = 0x81;

    /// <summary>The opcode of a close frame (the low four bits of a frame's first byte).</summary>
    public const int CloseOpcode = 0x8;

    public static int HeaderLength(int payloadLength) => payloadLength switch
    {
        <= 125 => 2,
        <= ushort.MaxValue => 4,
        _ => 10,
    };

    /// <summary>Writes the text frame of <paramref name="payload"/> at the start of <paramref name="destination"/>; returns its length.</summary>
    public static int WriteText(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var header = HeaderLength(payload.Length);
        destination[0] = FinText;
        switch (header)
        {
            case 2:
                destination[1] = (byte)payload.Length;
                break;
            case 4:
                destination[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payload.Length);
                break;
            default:
                destination[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payload.Length);
                break;
        }

        payload.CopyTo(destination[header..]);
        return header + payload.Length;
    }
}
