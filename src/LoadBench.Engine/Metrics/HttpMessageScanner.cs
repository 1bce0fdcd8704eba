namespace LoadBench.Engine.Metrics;

/// <summary>
/// Follows one direction of an HTTP/1.1 connection byte by byte and says how many of the bytes it is shown
/// belong to message heads (request line or status line, header fields, the blank line). It tracks just enough
/// of the protocol to find where the next head starts: Content-Length bodies, chunked bodies (size lines, data,
/// CRLFs, trailers), 1xx/204/304 without bodies, and 101 Switching Protocols, after which the connection carries
/// WebSocket frames and nothing more is a head. Bytes may arrive split anywhere (one byte per call works).
/// </summary>
/// <remarks>
/// Counting heads on the wire rather than adding up <c>HttpResponseMessage.Headers</c> is what makes the split
/// exact: the wire has the status line, the exact spelling, order and whitespace of every field, and the
/// headers HttpClient adds itself (Host). Chunked trailer fields are counted as framing (the target sends none).
/// </remarks>
internal sealed class HttpMessageScanner
{
    // Only the start of a line matters (status code, Content-Length, Transfer-Encoding); longer lines are cut.
    private const int LineCapacity = 128;

    private enum State { Head, Body, ChunkSize, ChunkLineRest, ChunkData, ChunkDataEnd, TrailerLine, Opaque }

    private readonly bool _isResponse;
    private readonly byte[] _line = new byte[LineCapacity];
    private State _state = State.Head;
    private int _lineLength;
    private bool _lineTruncated;
    private bool _firstLine = true;
    private int _status;
    private long _contentLength = -1;
    private bool _chunked;
    private long _remaining;
    private long _chunkSize;
    private int _trailerLineLength;
    private ContentCoding _coding;
    private bool _bodyEncoded;

    public HttpMessageScanner(bool isResponse) => _isResponse = isResponse;

    /// <summary>True once a 101 response head ended: the rest of the connection is not HTTP.</summary>
    public bool Upgraded { get; private set; }

    /// <summary>Messages whose last byte has been scanned (head and body; 1xx interim heads do not count). A
    /// client that reads its own responses waits for this to grow, so the scanner that counts the head bytes
    /// is also the one that says where the response ends: the two can never disagree.</summary>
    public long CompletedMessages { get; private set; }

    /// <summary>The status code of the last response head scanned (0 before one, and for requests).</summary>
    public int Status { get; private set; }

    /// <summary>The Content-Length of the last head scanned; -1 when it had none.</summary>
    public long ContentLength { get; private set; } = -1;

    /// <summary>Whether the last head scanned announced a chunked body.</summary>
    public bool Chunked { get; private set; }

    /// <summary>The Content-Encoding of the last head scanned (<see cref="ContentCoding.None"/> without one).</summary>
    public ContentCoding Coding { get; private set; }

    /// <summary>Body bytes scanned so far that belong to bodies with a Content-Encoding: the compressed body as it
    /// crosses the wire, chunk size lines and CRLFs left out (those are HTTP's framing, not the body).</summary>
    public long EncodedBodyBytes { get; private set; }

    /// <summary>Stops looking for heads: everything from now on is body (the other direction upgraded).</summary>
    public void StopScanning() => _state = State.Opaque;

    /// <summary>Scans the next bytes of this direction; returns how many of them are head bytes.</summary>
    public int Scan(ReadOnlySpan<byte> data) => Scan(data, stopAtMessageEnd: false, out _);

    /// <summary>Scans like <see cref="Scan(ReadOnlySpan{byte})"/> but stops right after the byte that ends a
    /// message; <paramref name="consumed"/> says how many bytes were scanned (all of them when no message ended).
    /// A client that sent one request uses it to find exactly where the response ends.</summary>
    public int ScanMessage(ReadOnlySpan<byte> data, out int consumed) => Scan(data, stopAtMessageEnd: true, out consumed);

    private int Scan(ReadOnlySpan<byte> data, bool stopAtMessageEnd, out int consumed)
    {
        var head = 0;
        var i = 0;
        var completed = CompletedMessages;
        while (i < data.Length)
        {
            if (stopAtMessageEnd && CompletedMessages != completed)
            {
                break;
            }

            switch (_state)
            {
                case State.Opaque:
                    consumed = data.Length;
                    return head;

                case State.Head:
                {
                    var lf = data[i..].IndexOf((byte)'\n');
                    var end = lf < 0 ? data.Length : i + lf + 1;
                    AppendToLine(data[i..end]);
                    head += end - i;
                    i = end;
                    if (lf >= 0)
                    {
                        OnHeadLine();
                    }

                    break;
                }

                case State.Body:
                {
                    var take = (int)Math.Min(_remaining, data.Length - i);
                    i += take;
                    _remaining -= take;
                    CountBody(take);
                    if (_remaining == 0)
                    {
                        _state = State.Head;
                        CompletedMessages++;
                    }

                    break;
                }

                case State.ChunkSize:
                {
                    var b = data[i++];
                    var digit = HexValue(b);
                    if (digit >= 0)
                    {
                        _chunkSize = (_chunkSize * 16) + digit;
                    }
                    else if (b == (byte)'\n')
                    {
                        EndChunkSizeLine();
                    }
                    else if (b != (byte)'\r')
                    {
                        // A chunk extension (";name=value") or whitespace: skip to the end of the line.
                        _state = State.ChunkLineRest;
                    }

                    break;
                }

                case State.ChunkLineRest:
                {
                    var lf = data[i..].IndexOf((byte)'\n');
                    if (lf < 0)
                    {
                        i = data.Length;
                    }
                    else
                    {
                        i += lf + 1;
                        EndChunkSizeLine();
                    }

                    break;
                }

                case State.ChunkData:
                {
                    var take = (int)Math.Min(_remaining, data.Length - i);
                    i += take;
                    _remaining -= take;
                    CountBody(take);
                    if (_remaining == 0)
                    {
                        _state = State.ChunkDataEnd;
                    }

                    break;
                }

                case State.ChunkDataEnd:
                    // The CRLF after a chunk's data.
                    if (data[i++] == (byte)'\n')
                    {
                        _state = State.ChunkSize;
                    }

                    break;

                case State.TrailerLine:
                {
                    var b = data[i++];
                    if (b == (byte)'\n')
                    {
                        if (_trailerLineLength == 0)
                        {
                            _state = State.Head; // the empty line after the last chunk: message complete
                            CompletedMessages++;
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

        consumed = i;
        return head;
    }

    private void CountBody(int bytes)
    {
        if (_bodyEncoded)
        {
            EncodedBodyBytes += bytes;
        }
    }

    private void AppendToLine(ReadOnlySpan<byte> bytes)
    {
        var room = LineCapacity - _lineLength;
        if (bytes.Length > room)
        {
            _lineTruncated = true;
            bytes = bytes[..room];
        }

        bytes.CopyTo(_line.AsSpan(_lineLength));
        _lineLength += bytes.Length;
    }

    private void OnHeadLine()
    {
        var line = _line.AsSpan(0, _lineLength);
        if (!_lineTruncated)
        {
            line = line.TrimEnd("\r\n"u8);
        }

        _lineLength = 0;
        _lineTruncated = false;

        if (_firstLine)
        {
            if (line.IsEmpty)
            {
                return; // a stray CRLF between messages (RFC 9112 §2.2 lets a recipient ignore it)
            }

            _firstLine = false;
            _status = _isResponse ? ParseStatus(line) : 0;
            return;
        }

        if (!line.IsEmpty)
        {
            ParseField(line);
            return;
        }

        EndOfHead();
    }

    private void ParseField(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return;
        }

        var name = line[..colon];
        var value = line[(colon + 1)..].Trim(" \t"u8);
        if (System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (System.Buffers.Text.Utf8Parser.TryParse(value, out long length, out var consumed) && consumed == value.Length)
            {
                _contentLength = length;
            }
        }
        else if (System.Text.Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            // "chunked" is always the last coding when present (RFC 9112 §6.1).
            var lastComma = value.LastIndexOf((byte)',');
            var last = value[(lastComma + 1)..].Trim(" \t"u8);
            _chunked = System.Text.Ascii.EqualsIgnoreCase(last, "chunked"u8);
        }
        else if (System.Text.Ascii.EqualsIgnoreCase(name, "Content-Encoding"u8))
        {
            _coding = ContentCodings.Parse(value);
        }
    }

    private void EndOfHead()
    {
        var status = _status;
        var chunked = _chunked;
        var contentLength = _contentLength;
        var coding = _coding;
        _firstLine = true;
        _status = 0;
        _chunked = false;
        _contentLength = -1;
        _coding = ContentCoding.None;
        Status = status;
        ContentLength = contentLength;
        Chunked = chunked;
        Coding = coding;
        _bodyEncoded = coding != ContentCoding.None;

        if (_isResponse && status == 101)
        {
            Upgraded = true;
            _state = State.Opaque;
        }
        else if (_isResponse && status is >= 100 and < 200)
        {
            _state = State.Head; // an interim response: the final one follows
        }
        else if (_isResponse && (status is 204 or 304))
        {
            _state = State.Head;
            CompletedMessages++;
        }
        else if (chunked)
        {
            _chunkSize = 0;
            _state = State.ChunkSize;
        }
        else if (contentLength > 0)
        {
            _remaining = contentLength;
            _state = State.Body;
        }
        else if (contentLength == 0 || !_isResponse)
        {
            _state = State.Head; // a request without Content-Length has no body
            CompletedMessages++;
        }
        else
        {
            _state = State.Opaque; // a response body delimited by the end of the connection
        }
    }

    private void EndChunkSizeLine()
    {
        if (_chunkSize == 0)
        {
            _trailerLineLength = 0;
            _state = State.TrailerLine;
        }
        else
        {
            _remaining = _chunkSize;
            _chunkSize = 0;
            _state = State.ChunkData;
        }
    }

    private static int ParseStatus(ReadOnlySpan<byte> statusLine)
    {
        // "HTTP/1.1 200 OK": the code is the three digits after the first space.
        var space = statusLine.IndexOf((byte)' ');
        if (space < 0 || statusLine.Length < space + 4)
        {
            return 0;
        }

        return System.Buffers.Text.Utf8Parser.TryParse(statusLine.Slice(space + 1, 3), out int status, out _) ? status : 0;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
