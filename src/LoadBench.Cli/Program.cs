using System.CommandLine;
using LoadBench.Cli;
using LoadBench.Engine.Running;

// Commands that drive the engine run socket completions inline (see EngineProcess): without it the engine's own
// scheduling overhead, not the target, caps polling throughput.
InvocationConfiguration? configuration = null;
if (args is ["run" or "gate" or "limits" or "agent", ..])
{
    EngineProcess.PreferInlineSocketCompletions();
    EngineProcess.PreferNoThreadPoolSpinning();

    // These commands write what was measured after Ctrl-C or SIGTERM and exit 130: they handle the signals
    // themselves (Interruption), so that no timeout ends the process while the results are written.
    Interruption.Install();
    configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
}

return await LoadBenchCommand.Create().Parse(args).InvokeAsync(configuration);
