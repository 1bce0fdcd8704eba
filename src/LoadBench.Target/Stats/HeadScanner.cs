namespace LoadBench.Target.Stats;

/// <summary>
/// Finds where an HTTP/1.1 message head ends (the first CRLF CRLF) in a stream seen in pieces, so header
/// bytes are counted exactly without parsing headers. Only the head's bytes are scanned; the body is not.
/// </summary>
internal struct HeadScanner
{
    private int _matched;

    public bool Active { get; private set; }

    /// <summary>Starts scanning: the next bytes seen are the start of a message head.</summary>
    public void Start()
    {
        Active = true;
        _matched = 0;
    }

    /// <summary>How many of <paramref name="bytes"/> belong to the head (all of them while it has not ended).</summary>
    public int Scan(ReadOnlySpan<byte> bytes)
    {
        if (!Active)
        {
            return 0;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            _matched = b == (_matched % 2 == 0 ? (byte)'\r' : (byte)'\n') ? _matched + 1 : (b == '\r' ? 1 : 0);
            if (_matched == 4)
            {
                Active = false;
                _matched = 0;
                return i + 1;
            }
        }

        return bytes.Length;
    }
}
