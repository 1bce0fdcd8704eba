namespace LoadBench.Engine.Running;

/// <summary>Error kinds the scheduler itself counts (next to the clients' own, in <c>errors.byKind</c>).</summary>
internal static class SchedulerErrors
{
    /// <summary>A copy the plan asked for but the process's open-file budget could not hold (see <see cref="FdBudget"/>).</summary>
    public const string FdLimit = "fd_limit";

    /// <summary>An open-model arrival that found every pool client busy: dropped, not queued (a queue would
    /// hide the target's stall from the latency numbers).</summary>
    public const string OpenModelBacklog = "open_model_backlog";

    public const string ClientCreateFailed = "client_create_failed";

    /// <summary>A client's RunAsync or SendOneAsync threw (the contract says it counts network errors instead).</summary>
    public const string ClientFailed = "client_failed";

    /// <summary>A client's RunAsync returned before it was asked to stop; a replacement is started.</summary>
    public const string ClientExited = "client_exited";

    public const string ClientStopTimeout = "client_stop_timeout";

    /// <summary>A ramp could not read the feed's latest seq for its new copies (they start from the previous one).</summary>
    public const string TargetInfoFailed = "target_info_failed";

    /// <summary>The target refused or failed a fault of the scenario's <c>faults</c> block (POST /feed/faults).</summary>
    public const string FaultFailed = "fault_failed";
}
