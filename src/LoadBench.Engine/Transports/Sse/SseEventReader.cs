using System.Buffers;
using System.Text;

namespace LoadBench.Engine.Transports.Sse;

/// <summary>
/// An incremental <c>text/event-stream</c> parser (the WHATWG "event stream interpretation") that holds no buffer
/// while it waits: the caller hands it the body's bytes as they arrive, split anywhere, and gets the events out
/// one at a time. Lines end in LF, CRLF or CR; <c>data:</c> lines are joined with LF, <c>event:</c> names the type
/// ("message" without one), comments (<c>:</c> lines), <c>id:</c> and <c>retry:</c> are read and skipped (the
/// client resumes by the events' own seq). An event is dispatched at its blank line, and only if it had data.
/// </summary>
/// <remarks>
/// Why not <see cref="System.Net.ServerSentEvents.SseParser"/>: it reads its stream itself and keeps a line and a
/// data buffer (1 KiB each, from the pool) for the stream's whole life — 2 KiB per idle subscriber, most of
/// what an engine holds per SSE subscriber besides the connection. Here an event's data is handed out as a slice
/// of the caller's bytes when it arrived in one piece (the usual case: no copy), and only a line or event cut by
/// a read boundary is copied into an array rented for just as long as it stays incomplete.
/// </remarks>
internal sealed class SseEventReader : IDisposable
{
    /// <summary>The type of an event without an <c>event:</c> field.</summary>
    public const string DefaultEventType = "message";

    // A line or an event's data longer than this is not a feed event (the target's largest is ~64 KiB): refuse it
    // rather than grow without bound.
    private const int MaxBytes = 16 * 1024 * 1024;

    private byte[]? _line;      // an unterminated line carried over from the previous bytes
    private int _lineLength;
    private byte[]? _data;      // the event's data so far, when it had to outlive the bytes it came in
    private int _dataLength;
    private bool _hasData;
    private bool _skipLf;       // the last line ended in CR: an LF right after it belongs to that line end
    private bool _releaseData;  // the last event handed out lives in _data: release it on the next call
    private string _eventType = DefaultEventType;

    /// <summary>True while an incomplete line or event is held between calls (an array is rented for it).</summary>
    public bool Holding => _line is not null || _data is not null;

    /// <summary>
    /// Reads lines from <paramref name="body"/> until one completes an event: then returns true with its type and
    /// data (valid until the next call) and leaves the rest in <paramref name="body"/>. False when the bytes are
    /// used up first; what they began is kept for the next call. Throws <see cref="HttpIOException"/> on a line
    /// or event over 16 MiB.
    /// </summary>
    public bool TryRead(ref ReadOnlySpan<byte> body, out string eventType, out ReadOnlySpan<byte> data)
    {
        if (_releaseData)
        {
            _releaseData = false;
            ReturnData();
        }

        // The first data line of the event when it lies whole in this call's bytes: handed out without a copy.
        ReadOnlySpan<byte> direct = default;
        var directSet = false;
        while (true)
        {
            if (_skipLf && !body.IsEmpty)
            {
                _skipLf = false;
                if (body[0] == (byte)'\n')
                {
                    body = body[1..];
                }
            }

            var end = body.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                AppendLine(body);
                body = default;
                if (directSet)
                {
                    AppendData(direct); // the event continues past these bytes: keep its data
                }

                eventType = DefaultEventType;
                data = default;
                return false;
            }

            var fromBody = _line is null;
            if (!fromBody)
            {
                AppendLine(body[..end]);
            }

            var line = fromBody ? body[..end] : _line.AsSpan(0, _lineLength);
            _skipLf = body[end] == (byte)'\r';
            body = body[(end + 1)..];

            if (line.IsEmpty)
            {
                var had = _hasData;
                _hasData = false;
                eventType = _eventType;
                _eventType = DefaultEventType;
                if (!had)
                {
                    continue; // a blank line without data dispatches nothing (a heartbeat's comment ends so)
                }

                if (directSet)
                {
                    data = direct;
                }
                else
                {
                    data = _data.AsSpan(0, _dataLength);
                    _releaseData = true;
                }

                return true;
            }

            var colon = line.IndexOf((byte)':');
            if (colon != 0)
            {
                var name = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? ReadOnlySpan<byte>.Empty : line[(colon + 1)..];
                if (!value.IsEmpty && value[0] == (byte)' ')
                {
                    value = value[1..];
                }

                if (name.SequenceEqual("data"u8))
                {
                    if (!_hasData && fromBody)
                    {
                        direct = value;
                        directSet = true;
                    }
                    else
                    {
                        if (directSet)
                        {
                            AppendData(direct);
                            directSet = false;
                        }

                        if (_hasData)
                        {
                            AppendData("\n"u8);
                        }

                        AppendData(value);
                    }

                    _hasData = true;
                }
                else if (name.SequenceEqual("event"u8))
                {
                    // Rare (the feed's signals): a string is made only for these.
                    _eventType = value.IsEmpty ? DefaultEventType : Encoding.UTF8.GetString(value);
                }

                // id and retry: read and skipped; anything else is ignored, as the standard says.
            }

            ReturnLine();
        }
    }

    private void AppendLine(ReadOnlySpan<byte> bytes)
    {
        // Nothing carried over is nothing held: an idle reader rents no array.
        if (!bytes.IsEmpty)
        {
            Append(ref _line, ref _lineLength, bytes);
        }
    }

    private void AppendData(ReadOnlySpan<byte> bytes) => Append(ref _data, ref _dataLength, bytes);

    private static void Append(ref byte[]? buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty && buffer is not null)
        {
            return;
        }

        var needed = length + bytes.Length;
        if (needed > MaxBytes)
        {
            throw new HttpIOException(HttpRequestError.InvalidResponse, $"An event-stream line or event is over {MaxBytes} bytes.");
        }

        if (buffer is null || needed > buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 512));
            if (buffer is not null)
            {
                buffer.AsSpan(0, length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(buffer);
            }

            buffer = bigger;
        }

        bytes.CopyTo(buffer.AsSpan(length));
        length = needed;
    }

    private void ReturnLine()
    {
        if (_line is not null)
        {
            ArrayPool<byte>.Shared.Return(_line);
            _line = null;
            _lineLength = 0;
        }
    }

    private void ReturnData()
    {
        if (_data is not null)
        {
            ArrayPool<byte>.Shared.Return(_data);
            _data = null;
        }

        _dataLength = 0;
    }

    /// <summary>Returns what is held and forgets a half-read event: the reader starts a new stream.</summary>
    public void Reset()
    {
        ReturnLine();
        ReturnData();
        _releaseData = false;
        _skipLf = false;
        _hasData = false;
        _eventType = DefaultEventType;
    }

    public void Dispose() => Reset();
}
