using System.Text;

namespace LoadBench.Results;

/// <summary>
/// Writes a file whole or not at all: the bytes go to a temporary file in the same folder (same file system, so the
/// rename is atomic), are flushed to disk, and the temporary file is then renamed over the target. A crash or a
/// kill mid-write leaves the old file (or none), never a truncated one; a failed write removes its temporary file.
/// </summary>
public static class AtomicFile
{
    /// <summary>How the temporary files end: <c>.NAME.RANDOM.tmp</c> beside the target (hidden on Unix).</summary>
    public const string TemporarySuffix = ".tmp";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temporary = TemporaryPath(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark (unless <paramref name="encoding"/> says otherwise).</summary>
    public static void WriteAllText(string path, string text, Encoding? encoding = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, (encoding ?? Utf8).GetBytes(text));
    }

    public static async Task WriteAllTextAsync(string path, string text, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        var temporary = TemporaryPath(path);
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            {
                await stream.WriteAsync(Utf8.GetBytes(text), cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static string TemporaryPath(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder", nameof(path));
        return Path.Combine(directory, $".{Path.GetFileName(full)}.{Path.GetRandomFileName()}{TemporarySuffix}");
    }

    private static void TryDelete(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The write already failed; that error is the one to report.
        }
    }
}
