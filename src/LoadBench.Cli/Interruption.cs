using System.Runtime.InteropServices;

namespace LoadBench.Cli;

/// <summary>
/// Ctrl-C and SIGTERM for the commands that drive the engine (run, gate, limits). The first signal cancels
/// <see cref="Token"/>: the engine stops its clients, the command writes what was measured (marked incomplete) and
/// exits 130. A second one ends the process at once, as the signal's default would. Signals are process-wide, so
/// this is one static registration, made before the command runs; System.CommandLine's own handling is off for
/// these commands (its timeout would end the process while the results are being written).
/// </summary>
internal static class Interruption
{
    private static readonly CancellationTokenSource Source = new();
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static int _signals;

    /// <summary>Cancelled at the first SIGINT or SIGTERM.</summary>
    public static CancellationToken Token => Source.Token;

    /// <summary>True once a signal asked the command to stop.</summary>
    public static bool Requested => Source.IsCancellationRequested;

    /// <summary>Which signal it was, in words, e.g. <c>SIGINT (Ctrl-C)</c>; null before any.</summary>
    public static string? Signal { get; private set; }

    /// <summary>A token cancelled by the command line's own token or by a signal.</summary>
    public static CancellationTokenSource Link(CancellationToken cancellationToken) =>
        CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Source.Token);

    public static void Install()
    {
        lock (Registrations)
        {
            if (Registrations.Count > 0)
            {
                return;
            }

            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        }
    }

    private static void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) > 1)
        {
            // The second signal: leave it to the default action, which ends the process now.
            Console.Error.WriteLine("loadbench: second signal: stopping at once, nothing more is written.");
            context.Cancel = false;
            return;
        }

        context.Cancel = true;
        Signal = context.Signal == PosixSignal.SIGINT ? "SIGINT (Ctrl-C)" : "SIGTERM";
        Console.Error.WriteLine($"loadbench: {Signal}: stopping the clients and writing what was measured (press Ctrl-C again to quit at once)...");
        Source.Cancel();
    }
}
