namespace LoadBench.Target.Feed;

/// <summary>
/// Makes the <c>data</c> string of a given size. It is built once per size and reused by every event, so the
/// publisher does not allocate a payload per event; only the JSON bytes are made per event. Plain ASCII
/// letters: one byte each in UTF-8 and never escaped in JSON, so <c>payloadBytes</c> is exact.
/// </summary>
internal static class PayloadText
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    public static string OfSize(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return string.Create(bytes, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[i % Alphabet.Length];
            }
        });
    }
}
