using System.Text.Json;

namespace LoadBench.Engine.Transports;

/// <summary>
/// Reads <c>seq</c> and <c>ts</c> out of event JSON (<c>{"seq":1,"ts":…,"data":"…"}</c>) with a
/// <see cref="Utf8JsonReader"/>: no reflection, no string for <c>data</c>, nothing allocated per event.
/// </summary>
internal static class FeedEventReader
{
    /// <summary>Reads one event object that fills <paramref name="json"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out long seq, out long ts)
    {
        var reader = new Utf8JsonReader(json);
        seq = ts = 0;
        try
        {
            return reader.Read() && TryReadObject(ref reader, out seq, out ts) && !reader.Read();
        }
        catch (JsonException)
        {
            seq = ts = 0;
            return false;
        }
    }

    /// <summary>
    /// Reads one event object whose StartObject token <paramref name="reader"/> is on; leaves it on the
    /// EndObject. Unknown properties are skipped so the target may add fields without breaking clients.
    /// </summary>
    public static bool TryReadObject(ref Utf8JsonReader reader, out long seq, out long ts)
    {
        seq = ts = 0;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        bool hasSeq = false, hasTs = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("seq"u8))
            {
                hasSeq = reader.Read() && reader.TryGetInt64(out seq);
            }
            else if (reader.ValueTextEquals("ts"u8))
            {
                hasTs = reader.Read() && reader.TryGetInt64(out ts);
            }
            else if (!reader.Read() || !reader.TrySkip())
            {
                return false;
            }
        }

        return reader.TokenType == JsonTokenType.EndObject && hasSeq && hasTs && seq > 0;
    }
}
