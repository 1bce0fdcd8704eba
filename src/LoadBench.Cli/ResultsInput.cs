using LoadBench.Results;

namespace LoadBench.Cli;

/// <summary>Reads a results file for a command; a missing or malformed one is reported by name (the caller exits 2).</summary>
internal static class ResultsInput
{
    public static async Task<ResultsDocument?> ReadAsync(FileInfo file, CancellationToken cancellationToken)
    {
        if (!file.Exists)
        {
            await Console.Error.WriteLineAsync($"loadbench: {file}: no such results file");
            return null;
        }

        try
        {
            return await ResultsFile.ReadAsync(file.ToString(), cancellationToken);
        }
        catch (ResultsFormatException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: {e.Message}");
            return null;
        }
    }
}
