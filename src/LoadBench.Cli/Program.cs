using System.CommandLine;
using LoadBench.Cli;
using LoadBench.Engine.Running;

// Commands that drive the engine run socket completions inline (see EngineProcess): without it the engine's own
// scheduling overhead, not the target, caps polling throughput.
if (args is ["run" or "gate" or "limits" or "agent", ..])
{
    EngineProcess.PreferInlineSocketCompletions();
}

// 'limits' writes the steps done after Ctrl-C: give it time to stop its clients and write the results.
var configuration = args is ["limits", ..] ? new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) } : null;
return await LoadBenchCommand.Create().Parse(args).InvokeAsync(configuration);
