using System.CommandLine;
using LoadBench.Cli.Commands;

namespace LoadBench.Cli;

/// <summary>The root <c>loadbench</c> command and its subcommands.</summary>
public static class LoadBenchCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand($"""
            LoadBench: which push transport should I use, and what does it cost?
            Drives short polling, long polling, Server-Sent Events and WebSocket against one target on this
            machine and reports latency, bytes per event, throughput, server cost and integrity side by side.

            Start with:  loadbench run quick                (a built-in scenario, under 30 s; 'loadbench scenarios' lists them)
                         loadbench run compare-transports   (the main comparison, about 3 minutes)

            {ExitCodes.HelpText}
            """)
        {
            ServeCommand.Create(),
            RunCommand.Create(),
            AgentCommand.Create(),
            LimitsCommand.Create(),
            DemoCommand.Create(),
            ReportCommand.Create(),
            CompareCommand.Create(),
            PlanCommand.Create(),
            GateCommand.Create(),
            BaselineCommand.Create(),
            ScenariosCommand.Create(),
            SchemaCommand.Create(),
        };
        return root;
    }
}
