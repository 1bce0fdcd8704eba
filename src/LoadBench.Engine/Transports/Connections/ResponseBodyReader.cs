namespace LoadBench.Engine.Transports.Connections;

/// <summary>
/// Takes an HTTP/1.1 response body as it arrives, split anywhere (one byte per call works), and hands out the
/// body's data: the contents of the chunks of a chunked body (RFC 9112 §7.1: size lines, extensions, CRLFs and
/// trailers skipped), the next <c>Content-Length</c> bytes, or everything until the connection closes. For clients
/// that read a streaming response straight from a socket (<see cref="Sse.SseClient"/>'s raw path); which bytes are
/// heads is still the <see cref="Metrics.HttpMessageScanner"/>'s call, this only finds the data.
/// </summary>
internal sealed class ResponseBodyReader
{
    // A chunk size beyond 15 hex digits cannot be honest (2^60 bytes).
    private const int MaxSizeDigits = 15;

    private enum State { Size, SizeLineRest, Data, DataEnd, Trailer, Counted, ToClose, Done }

    private State _state;
    private long _remaining;
    private int _sizeDigits;
    private int _trailerLineLength;

    private ResponseBodyReader(State state, long remaining)
    {
        _state = state;
        _remaining = remaining;
    }

    /// <summary>The reader for a body described by its head (chunked wins over Content-Length, RFC 9112 §6.3).</summary>
    public static ResponseBodyReader For(bool chunked, long contentLength) =>
        chunked ? new(State.Size, 0)
        : contentLength > 0 ? new(State.Counted, contentLength)
        : contentLength == 0 ? new(State.Done, 0)
        : new(State.ToClose, 0);

    /// <summary>True once the body's last byte was taken (never for a body that ends with the connection).</summary>
    public bool Ended => _state == State.Done;

    /// <summary>True when the body ends with the connection (neither chunked nor of known length).</summary>
    public bool EndsWithConnection => _state == State.ToClose;

    /// <summary>
    /// Takes bytes from the start of <paramref name="input"/> up to the end of the next run of body data and
    /// returns that run in <paramref name="data"/> (a slice of the input). False when the input is used up without
    /// a run, or the body ended (<see cref="Ended"/>; bytes after the end are left in <paramref name="input"/>).
    /// Throws <see cref="HttpIOException"/> on a chunk size line that is not one.
    /// </summary>
    public bool TryRead(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> data)
    {
        data = default;
        while (!input.IsEmpty)
        {
            switch (_state)
            {
                case State.Done:
                    return false;

                case State.ToClose:
                    data = input;
                    input = default;
                    return true;

                case State.Counted:
                case State.Data:
                {
                    var take = (int)Math.Min(_remaining, input.Length);
                    data = input[..take];
                    input = input[take..];
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = _state == State.Counted ? State.Done : State.DataEnd;
                    }

                    return true;
                }

                case State.Size:
                {
                    var b = input[0];
                    input = input[1..];
                    var digit = HexValue(b);
                    if (digit >= 0)
                    {
                        if (++_sizeDigits > MaxSizeDigits)
                        {
                            throw BadChunk();
                        }

                        _remaining = (_remaining * 16) + digit;
                    }
                    else if (b == (byte)'\n')
                    {
                        EndSizeLine();
                    }
                    else if (b != (byte)'\r')
                    {
                        // A chunk extension (";name=value") or whitespace: skip to the end of the line.
                        _state = State.SizeLineRest;
                    }

                    break;
                }

                case State.SizeLineRest:
                {
                    var lf = input.IndexOf((byte)'\n');
                    if (lf < 0)
                    {
                        input = default;
                    }
                    else
                    {
                        input = input[(lf + 1)..];
                        EndSizeLine();
                    }

                    break;
                }

                case State.DataEnd:
                    // The CRLF after a chunk's data.
                    if (input[0] == (byte)'\n')
                    {
                        _state = State.Size;
                    }

                    input = input[1..];
                    break;

                case State.Trailer:
                {
                    var b = input[0];
                    input = input[1..];
                    if (b == (byte)'\n')
                    {
                        if (_trailerLineLength == 0)
                        {
                            _state = State.Done; // the empty line after the last chunk
                            return false;
                        }

                        _trailerLineLength = 0;
                    }
                    else if (b != (byte)'\r')
                    {
                        _trailerLineLength++;
                    }

                    break;
                }
            }
        }

        return false;
    }

    private void EndSizeLine()
    {
        if (_sizeDigits == 0)
        {
            throw BadChunk();
        }

        _sizeDigits = 0;
        _state = _remaining == 0 ? State.Trailer : State.Data;
        _trailerLineLength = 0;
    }

    private static HttpIOException BadChunk() =>
        new(HttpRequestError.InvalidResponse, "The target sent a chunk size line that is not one.");

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
