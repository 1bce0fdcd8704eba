using System.Buffers.Text;
using System.Text.Json;
using LoadBench.Contracts;

namespace LoadBench.Engine.Transports;

/// <summary>
/// Reads what the target's in-band signals carry beyond their kind: the new epoch of a reset (<see cref="FeedReset"/>),
/// from a 409 problem+json body, an SSE <c>reset</c> event's data or a WebSocket close description. Rare (one per
/// reset), so plain and allocating is fine here.
/// </summary>
internal static class FeedSignalReader
{
    /// <summary>The top-level string <c>epoch</c> of a JSON object; null when there is none or the JSON is bad.</summary>
    public static string? EpochFromJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(FeedReset.QueryParameter))
                {
                    return reader.Read() && reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                if (!reader.Read() || !reader.TrySkip())
                {
                    return null;
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    /// <summary>The epoch of a WebSocket close description <c>reset epoch=…</c>; null when it has another shape.</summary>
    public static string? EpochFromCloseDescription(string? description) =>
        description is not null && description.StartsWith(FeedReset.WebSocketDescriptionPrefix, StringComparison.Ordinal)
            && description.Length > FeedReset.WebSocketDescriptionPrefix.Length
            ? description[FeedReset.WebSocketDescriptionPrefix.Length..].Trim()
            : null;

    /// <summary>A response body as the application wrote it: chunked transfer coding taken off when
    /// <paramref name="chunked"/>; null when the chunks are malformed.</summary>
    public static byte[]? Body(ReadOnlySpan<byte> wire, bool chunked)
    {
        if (!chunked)
        {
            return wire.ToArray();
        }

        var body = new List<byte>();
        while (true)
        {
            var lineEnd = wire.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return null;
            }

            // A chunk size may carry extensions after ';': the size is the hex digits before them.
            var sizeText = wire[..lineEnd];
            var semicolon = sizeText.IndexOf((byte)';');
            if (semicolon >= 0)
            {
                sizeText = sizeText[..semicolon];
            }

            if (!Utf8Parser.TryParse(sizeText, out int size, out var consumed, 'x') || consumed != sizeText.Length || size < 0)
            {
                return null;
            }

            wire = wire[(lineEnd + 2)..];
            if (size == 0)
            {
                return [.. body];
            }

            if (wire.Length < size + 2)
            {
                return null;
            }

            body.AddRange(wire[..size]);
            wire = wire[(size + 2)..];
        }
    }
}
