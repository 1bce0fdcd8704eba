namespace LoadBench.Engine.Running;

/// <summary>
/// Why a run stops before its plan ends: the caller cancelled (Ctrl-C, SIGTERM) or the target failed. One token
/// for both, so every wait of the run ends the same way; the cause is kept apart, because the first is the
/// user's choice (exit 130) and the second a failed run (exit 3).
/// </summary>
internal sealed class RunStop : IDisposable
{
    /// <summary>The cause written into results when the caller's token was cancelled.</summary>
    public const string InterruptedCause = "interrupted (the run was cancelled: Ctrl-C or SIGTERM)";

    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource _stop;
    private string? _targetFailure;

    public RunStop(CancellationToken caller)
    {
        _caller = caller;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(caller);
    }

    /// <summary>Cancelled when the caller cancels or the target fails.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The caller cancelled (checked first: a Ctrl-C in a terminal also stops a target the engine started).</summary>
    public bool Interrupted => _caller.IsCancellationRequested;

    /// <summary>What failed, in words, once the target failed; null otherwise.</summary>
    public string? TargetFailure => Volatile.Read(ref _targetFailure);

    public bool Stopping => _stop.IsCancellationRequested;

    /// <summary>Why the run stopped, for the incomplete mark; null while it runs.</summary>
    public string? Cause => Interrupted ? InterruptedCause : TargetFailure is { } failure ? "the target failed: " + failure : null;

    /// <summary>Records the first failure (later ones are its consequences) and stops the run.</summary>
    public void TargetFailed(string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(what);
        Interlocked.CompareExchange(ref _targetFailure, what, null);
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run already ended.
        }
    }

    public void Dispose() => _stop.Dispose();
}
