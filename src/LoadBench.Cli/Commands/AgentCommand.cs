using System.CommandLine;
using System.Net;
using LoadBench.Engine.Distributed;
using LoadBench.Engine.Distributed.Agent;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench agent --nats URL</c>: a load agent that carries a share of a coordinator's run.</summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var nats = new Option<string>("--nats") { Description = "The NATS server shared with the coordinator, e.g. nats://10.0.0.5:4222.", Required = true };
        var name = new Option<string?>("--name") { Description = "This agent's name: letters, digits, '-', '_' (default: host name and process id)." };
        var allowRemote = new Option<bool>("--allow-non-loopback") { Description = "Accept a target that is not 127.0.0.0/8, ::1 or localhost (an agent on another host than the target). Only for targets you own." };
        var sources = new Option<string[]>("--source-address")
        {
            Description = "A local address to open connections from (repeat it: --source-address 127.0.0.2 --source-address 127.0.0.3); connections are spread over them, round robin, past one address's ~28,000 ephemeral ports.",
            AllowMultipleArgumentsPerToken = true,
        };
        var connectRate = new Option<int>("--connect-rate")
        {
            Description = "Most new connections this agent opens per second (default 2000). Several agents on one machine share its cores: give each a share, so the connect storm does not starve the agents' and coordinator's own heartbeats.",
            DefaultValueFactory = _ => AgentOptions.DefaultConnectRate,
        };
        var command = new Command("agent", $"""
            Run a load agent: join the NATS server, announce this machine (cores, open-file budget) and carry a
            share of the load of a coordinator's run ('loadbench run SCENARIO --nats URL --agents N'). It serves
            one run after another until Ctrl-C. When its coordinator falls silent for 3 s it stops its clients.

            Examples:
              loadbench agent --nats nats://127.0.0.1:4222
              loadbench agent --nats nats://10.0.0.5:4222 --name rack2-a --allow-non-loopback

            {ExitCodes.HelpText}
            """)
        {
            nats, name, allowRemote, sources, connectRate,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(nats)!, parse.GetValue(name), parse.GetValue(allowRemote), parse.GetValue(sources) ?? [], parse.GetValue(connectRate), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string nats, string? name, bool allowRemote, string[] sourceTexts, int connectRate, CancellationToken cancellationToken)
    {
        if (connectRate is < 1 or > 100_000)
        {
            await Console.Error.WriteLineAsync($"loadbench: --connect-rate must be 1..100000 connections per second; got {connectRate}.");
            return ExitCodes.UsageError;
        }

        if (SourceAddresses.Parse(sourceTexts) is not { } sources)
        {
            return ExitCodes.UsageError;
        }

        AgentOptions options;
        try
        {
            options = new AgentOptions { NatsUrl = nats, AllowNonLoopback = allowRemote, SourceAddresses = sources, ConnectRate = connectRate };
            if (name is not null)
            {
                options = options with { Name = AgentOptions.CheckName(name) };
            }
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: {e.Message}");
            return ExitCodes.UsageError;
        }

        var log = new Progress<string>(line => Console.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {line}"));
        // Program installs the signal handling of the engine's commands for `agent` too, which takes SIGINT and SIGTERM
        // away from the command line's token: without this link the first signal was swallowed and the agent ran on.
        using var stop = Interruption.Link(cancellationToken);
        try
        {
            await LoadAgent.RunAsync(options, log, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (DistributedRunException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: {e.Message}");
            return ExitCodes.RunFailed;
        }

        // Stopped by a signal, as every command says it (130): its clients are stopped, there is nothing to write.
        return Interruption.Requested ? ExitCodes.Interrupted : ExitCodes.Success;
    }
}

/// <summary>Parses <c>--source-address</c> values; prints the bad one and returns null.</summary>
internal static class SourceAddresses
{
    public static IReadOnlyList<IPAddress>? Parse(IEnumerable<string> texts)
    {
        var addresses = new List<IPAddress>();
        foreach (var text in texts.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!IPAddress.TryParse(text, out var address))
            {
                Console.Error.WriteLine($"loadbench: --source-address '{text}' is not an IP address like 127.0.0.2");
                return null;
            }

            addresses.Add(address);
        }

        return addresses;
    }
}
