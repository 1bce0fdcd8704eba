using System.Text;

namespace LoadBench.Syntax.Json;

/// <summary>Maps byte offsets to 1-based line and column (columns count characters, not bytes).</summary>
internal sealed class LineMap
{
    private readonly byte[] _bytes;
    private readonly List<int> _lineStarts;

    /// <param name="bytes">The whole file.</param>
    /// <param name="start">Where the text starts: after a byte order mark, which is no character a person sees.</param>
    public LineMap(byte[] bytes, int start)
    {
        _bytes = bytes;
        _lineStarts = [start];
        for (var i = start; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public (int Line, int Column) At(int offset)
    {
        var index = _lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        var start = _lineStarts[line];
        var column = Encoding.UTF8.GetCharCount(_bytes, start, Math.Max(0, offset - start)) + 1;
        return (line + 1, column);
    }

    /// <summary>The place of System.Text.Json's 0-based line and byte position in that line.</summary>
    public (int Line, int Column) AtLineByte(long line, long bytePositionInLine)
    {
        if (line < 0 || line >= _lineStarts.Count)
        {
            return ((int)line + 1, (int)bytePositionInLine + 1);
        }

        return At((int)Math.Min(_bytes.Length, _lineStarts[(int)line] + bytePositionInLine));
    }
}
