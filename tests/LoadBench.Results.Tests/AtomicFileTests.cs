namespace LoadBench.Results.Tests;

/// <summary>A file is written whole or not at all, and no temporary file is ever left beside it.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loadbench-atomic-").FullName;

    [Fact]
    public async Task WriteAsync_ReplacesAnOlderResultsFileWhole_AndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(_folder, "results.json");
        await File.WriteAllTextAsync(path, new string('x', 1 << 20));
        var events = ResultsSamples.Latencies(seed: 3, count: 50);
        var document = ResultsSamples.Document(events, events, [events], clients: 2);

        await ResultsFile.WriteAsync(path, document, CancellationToken.None);

        // The longer old content is gone entirely (a rename, not an overwrite in place that could keep a tail).
        Assert.Equal(ResultsFile.Serialize(document), await File.ReadAllTextAsync(path));
        Assert.Equal(["results.json"], Directory.EnumerateFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WriteAllTextAsync_Cancelled_LeavesTheOldFileAndNoTemporaryFile()
    {
        var path = Path.Combine(_folder, "report.md");
        await File.WriteAllTextAsync(path, "the old report");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AtomicFile.WriteAllTextAsync(path, "the new report", cancelled.Token));

        Assert.Equal("the old report", await File.ReadAllTextAsync(path));
        Assert.Equal(["report.md"], Directory.EnumerateFileSystemEntries(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteAllBytes_IntoAMissingFolder_ThrowsAndCreatesNothing()
    {
        var path = Path.Combine(_folder, "missing", "plot.png");

        Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.WriteAllBytes(path, [1, 2, 3]));

        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder));
    }

    [Fact]
    public void WriteAllText_WritesUtf8WithoutByteOrderMark()
    {
        var path = Path.Combine(_folder, "summary.csv");

        AtomicFile.WriteAllText(path, "scenario,p99 µs");

        Assert.Equal("scenario,p99 µs"u8.ToArray(), File.ReadAllBytes(path));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
