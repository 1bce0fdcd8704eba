using LoadBench.Cli;
using LoadBench.Engine.Running;

// Commands that drive the engine run socket completions inline (see EngineProcess): without it the engine's own
// scheduling overhead, not the target, caps polling throughput.
if (args is ["run" or "gate", ..])
{
    EngineProcess.PreferInlineSocketCompletions();
}

return await LoadBenchCommand.Create().Parse(args).InvokeAsync();
