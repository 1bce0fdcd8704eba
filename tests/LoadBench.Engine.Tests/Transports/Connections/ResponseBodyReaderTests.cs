using System.Text;
using LoadBench.Engine.Transports.Connections;

namespace LoadBench.Engine.Tests.Transports.Connections;

/// <summary>The raw SSE path's body reader finds exactly the chunks' data, however the bytes are cut.</summary>
public sealed class ResponseBodyReaderTests
{
    // Three chunks (one with an extension, one in upper-case hex), the last chunk, a trailer, the end, then bytes
    // that are not the body's.
    private const string Chunked = "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n1\r\n!\r\n0\r\nX-Trailer: 1\r\n\r\nAFTER";

    [Fact]
    public void TryRead_Chunked_GivesTheDataAndStopsAtTheEnd()
    {
        var reader = ResponseBodyReader.For(chunked: true, contentLength: -1);
        ReadOnlySpan<byte> input = Encoding.ASCII.GetBytes(Chunked);

        var data = ReadAll(reader, ref input);

        Assert.Equal("hello0123456789!", data);
        Assert.True(reader.Ended);
        Assert.Equal("AFTER", Encoding.ASCII.GetString(input));
    }

    [Fact]
    public void TryRead_ChunkedOneBytePerRead_GivesTheSameData()
    {
        var reader = ResponseBodyReader.For(chunked: true, contentLength: -1);
        var all = new StringBuilder();
        var bytes = Encoding.ASCII.GetBytes(Chunked);
        var taken = 0;
        while (!reader.Ended)
        {
            ReadOnlySpan<byte> one = bytes.AsSpan(taken++, 1);
            all.Append(ReadAll(reader, ref one));
            Assert.True(one.IsEmpty);
        }

        Assert.Equal("hello0123456789!", all.ToString());
        Assert.Equal(Chunked.Length - "AFTER".Length, taken);
    }

    [Fact]
    public void TryRead_ContentLength_TakesExactlyThatMany()
    {
        var reader = ResponseBodyReader.For(chunked: false, contentLength: 4);
        ReadOnlySpan<byte> input = "abcdef"u8;

        Assert.Equal("abcd", ReadAll(reader, ref input));
        Assert.True(reader.Ended);
        Assert.Equal("ef", Encoding.ASCII.GetString(input));
    }

    [Fact]
    public void TryRead_NoLength_TakesEverythingAndNeverEnds()
    {
        var reader = ResponseBodyReader.For(chunked: false, contentLength: -1);
        ReadOnlySpan<byte> input = "abc"u8;

        Assert.Equal("abc", ReadAll(reader, ref input));
        Assert.False(reader.Ended);
        Assert.True(reader.EndsWithConnection);
    }

    [Fact]
    public void TryRead_SizeLineWithoutDigits_Throws()
    {
        var reader = ResponseBodyReader.For(chunked: true, contentLength: -1);

        Assert.Throws<HttpIOException>(() =>
        {
            ReadOnlySpan<byte> input = "\r\nhello"u8;
            reader.TryRead(ref input, out _);
        });
    }

    private static string ReadAll(ResponseBodyReader reader, ref ReadOnlySpan<byte> input)
    {
        var all = new StringBuilder();
        while (reader.TryRead(ref input, out var data))
        {
            all.Append(Encoding.ASCII.GetString(data));
        }

        return all.ToString();
    }
}
