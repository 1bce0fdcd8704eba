using System.Text;
using LoadBench.Engine.Transports.Sse;

namespace LoadBench.Engine.Tests.Transports.Sse;

/// <summary>
/// The raw SSE path's parser gives the same events whether the stream comes whole, one byte per read or cut at
/// every possible point, for every line ending the standard allows, and holds nothing once an event is complete.
/// </summary>
public sealed class SseEventReaderTests
{
    // The feed's own shape (id, data, blank line), a heartbeat comment, the gone signal, then what the standard
    // also allows: CRLF and lone CR line ends, two data lines joined by LF, "data" without a colon (empty data),
    // no space after the colon, retry, an event without data (dispatches nothing), an unknown field.
    private const string Stream =
        "id: 1\ndata: {\"seq\":1}\n\n" +
        ": heartbeat\n\n" +
        "event: gone\ndata: {\"oldestSeq\":5}\n\n" +
        "id: 2\r\ndata: {\"seq\":2}\r\n\r\n" +
        "data: first\rdata: second\r\r" +
        "data\n\n" +
        "data:tight\nretry: 100\nfoo: bar\n\n" +
        "event: nothing\nid: 9\n\n" +
        "data: last\n\n";

    private static readonly (string Type, string Data)[] Expected =
    [
        ("message", "{\"seq\":1}"),
        ("gone", "{\"oldestSeq\":5}"),
        ("message", "{\"seq\":2}"),
        ("message", "first\nsecond"),
        ("message", ""),
        ("message", "tight"),
        ("message", "last"),
    ];

    [Fact]
    public void TryRead_WholeStream_GivesEveryEvent()
    {
        using var reader = new SseEventReader();

        var events = ReadAll(reader, [Encoding.UTF8.GetBytes(Stream)]);

        Assert.Equal(Expected, events);
        Assert.False(reader.Holding);
    }

    [Fact]
    public void TryRead_OneBytePerRead_GivesTheSameEvents()
    {
        using var reader = new SseEventReader();

        var events = ReadAll(reader, Encoding.UTF8.GetBytes(Stream).Select(b => new[] { b }));

        Assert.Equal(Expected, events);
        Assert.False(reader.Holding);
    }

    [Fact]
    public void TryRead_CutAtEveryPoint_GivesTheSameEvents()
    {
        var bytes = Encoding.UTF8.GetBytes(Stream);
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            using var reader = new SseEventReader();

            var events = ReadAll(reader, [bytes[..cut], bytes[cut..]]);

            Assert.Equal(Expected, events);
        }
    }

    [Fact]
    public void TryRead_EventCutByARead_HoldsItUntilItEndsThenNothing()
    {
        using var reader = new SseEventReader();
        ReadOnlySpan<byte> first = "data: {\"seq\":1"u8;

        Assert.False(reader.TryRead(ref first, out _, out _));
        Assert.True(reader.Holding);

        ReadOnlySpan<byte> rest = "}\n\n"u8;
        Assert.True(reader.TryRead(ref rest, out var type, out var data));
        Assert.Equal("message", type);
        Assert.Equal("{\"seq\":1}", Encoding.UTF8.GetString(data));
        Assert.False(reader.TryRead(ref rest, out _, out _));
        Assert.False(reader.Holding);
    }

    [Fact]
    public void Reset_ForgetsAHalfReadEvent()
    {
        using var reader = new SseEventReader();
        ReadOnlySpan<byte> cut = "event: gone\ndata: {\"old"u8;
        Assert.False(reader.TryRead(ref cut, out _, out _));

        reader.Reset();
        ReadOnlySpan<byte> next = "data: x\n\n"u8;

        Assert.False(reader.Holding);
        Assert.True(reader.TryRead(ref next, out var type, out var data));
        Assert.Equal(("message", "x"), (type, Encoding.UTF8.GetString(data)));
    }

    private static List<(string, string)> ReadAll(SseEventReader reader, IEnumerable<byte[]> reads)
    {
        var events = new List<(string, string)>();
        foreach (var read in reads)
        {
            ReadOnlySpan<byte> body = read;
            while (reader.TryRead(ref body, out var type, out var data))
            {
                events.Add((type, Encoding.UTF8.GetString(data)));
            }

            Assert.True(body.IsEmpty);
        }

        return events;
    }
}
