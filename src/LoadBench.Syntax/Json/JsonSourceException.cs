namespace LoadBench.Syntax.Json;

/// <summary>A file <see cref="JsonSourceReader"/> cannot read: malformed JSON, a name written twice in one
/// object, or content after the document. <see cref="Error"/> says where.</summary>
public sealed class JsonSourceException : Exception
{
    public JsonSourceException(JsonSourceError error)
        : base((error ?? throw new ArgumentNullException(nameof(error))).ToString())
    {
        Error = error;
    }

    public JsonSourceException()
        : this("")
    {
    }

    public JsonSourceException(string message)
        : base(message)
    {
        Error = new JsonSourceError("", 1, 1, "", message);
    }

    public JsonSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = new JsonSourceError("", 1, 1, "", message);
    }

    public JsonSourceError Error { get; }
}
