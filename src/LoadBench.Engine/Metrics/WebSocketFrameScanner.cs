namespace LoadBench.Engine.Metrics;

/// <summary>
/// Follows the frames of one direction of a WebSocket connection (RFC 6455 §5.2) byte by byte and counts the
/// payload bytes of data frames (text, binary, continuation). With permessage-deflate those are the compressed
/// message as it crosses the wire; everything else — frame headers, extended lengths, masking keys, control
/// frames (close, ping, pong) — is framing. Bytes may arrive split anywhere (one byte per call works).
/// </summary>
internal sealed class WebSocketFrameScanner
{
    private enum State { FirstByte, LengthByte, ExtendedLength, MaskKey, Payload }

    private State _state = State.FirstByte;
    private bool _data;
    private bool _masked;
    private int _extendedLeft;
    private int _maskLeft;
    private long _payloadLeft;

    /// <summary>Data-frame payload bytes scanned so far.</summary>
    public long DataPayloadBytes { get; private set; }

    /// <summary>Frames whose last byte has been scanned.</summary>
    public long Frames { get; private set; }

    public void Scan(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            switch (_state)
            {
                case State.FirstByte:
                    // Opcodes 0 (continuation: only data frames are fragmented), 1 (text) and 2 (binary) carry data.
                    _data = (data[i++] & 0x0F) is 0 or 1 or 2;
                    _state = State.LengthByte;
                    break;
                case State.LengthByte:
                {
                    var b = data[i++];
                    _masked = (b & 0x80) != 0;
                    var length = b & 0x7F;
                    _payloadLeft = length < 126 ? length : 0;
                    _extendedLeft = length switch { 126 => 2, 127 => 8, _ => 0 };
                    _maskLeft = _masked ? 4 : 0;
                    _state = _extendedLeft > 0 ? State.ExtendedLength : AfterLength();
                    break;
                }

                case State.ExtendedLength:
                    _payloadLeft = (_payloadLeft << 8) | data[i++];
                    if (--_extendedLeft == 0)
                    {
                        _state = AfterLength();
                    }

                    break;
                case State.MaskKey:
                    i++;
                    if (--_maskLeft == 0)
                    {
                        _state = AfterMask();
                    }

                    break;
                case State.Payload:
                {
                    var take = (int)Math.Min(_payloadLeft, data.Length - i);
                    i += take;
                    _payloadLeft -= take;
                    if (_data)
                    {
                        DataPayloadBytes += take;
                    }

                    if (_payloadLeft == 0)
                    {
                        EndFrame();
                    }

                    break;
                }
            }
        }
    }

    private State AfterLength() => _maskLeft > 0 ? State.MaskKey : AfterMask();

    private State AfterMask()
    {
        if (_payloadLeft > 0)
        {
            return State.Payload;
        }

        EndFrame();
        return State.FirstByte;
    }

    private void EndFrame()
    {
        Frames++;
        _state = State.FirstByte;
    }
}
