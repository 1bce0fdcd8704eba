using Microsoft.Extensions.Hosting;
using System.CommandLine;
using LoadBench.Target;
using LoadBench.Target.Hosting;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench serve</c>: runs the target in this process until Ctrl+C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen (loopback only unless you say otherwise).",
            DefaultValueFactory = _ => TargetOptions.DefaultUrl,
        };
        var rate = new Option<double>("--rate") { Description = "Events published per second (0 = paused).", DefaultValueFactory = _ => 10 };
        var payload = new Option<int>("--payload-bytes") { Description = "Size of each event's data, in bytes.", DefaultValueFactory = _ => 64 };
        var retention = new Option<int>("--retention") { Description = "Events kept for late readers.", DefaultValueFactory = _ => 100_000 };
        var token = ControlTokenOption.ForTarget();
        var publishTo = new Option<string?>("--publish-to")
        {
            Description = "Also publish every event to the JetStream stream at this NATS URL (nats://host:4222), for replicas to serve.",
        };
        var follow = new Option<string?>("--follow")
        {
            Description = "Be a replica: serve the events of the publisher whose stream is at this NATS URL (its settings; --rate and --payload-bytes are ignored).",
        };
        var h2c = new Option<string?>("--h2c-url")
        {
            Description = "Also serve cleartext HTTP/2 (prior knowledge) here, e.g. http://127.0.0.1:5081: Kestrel serves h2c only on an HTTP/2-only endpoint.",
        };
        var https = new Option<string?>("--https-url")
        {
            Description = "Also serve HTTPS here (HTTP/1.1 and HTTP/2 by ALPN), e.g. https://127.0.0.1:5443, with a certificate generated at start; its SHA-256 is printed and on /feed/endpoints.",
        };
        var compression = new Option<string?>("--compression")
        {
            Description = "on: answer a client that asks for it with permessage-deflate (WebSocket), gzip or br (poll answers, the SSE stream); off (the default): never, as every browser asks and the target's byte counters count event bytes as payload. The engine starts its own target with it on.",
        };
        compression.AcceptOnlyFromAmong("on", "off");
        var command = new Command("serve", """
            Run the target: one feed served by short polling, long polling, SSE and WebSocket.
            Scaled out: one publisher (--publish-to) and any number of replicas (--follow) of the same feed,
            over NATS JetStream, usually behind nginx (deploy/nginx/).

            Examples:
              loadbench serve
              loadbench serve --urls http://127.0.0.1:5080 --rate 100 --payload-bytes 256
              loadbench serve --urls http://0.0.0.0:5080 --control-token "$(openssl rand -hex 16)"
              loadbench serve --urls http://127.0.0.1:5080 --rate 0 --publish-to nats://127.0.0.1:4222
              loadbench serve --urls http://127.0.0.1:5081 --follow nats://127.0.0.1:4222
              loadbench serve --h2c-url http://127.0.0.1:5081 --https-url https://127.0.0.1:5443

            Beyond loopback it needs --control-token (exit code 2 without one).
            """)
        {
            urls, rate, payload, retention, token, publishTo, follow, h2c, https, compression,
        };
        command.SetAction((parse, cancellationToken) => RunTargetAsync(
            ["--urls", parse.GetValue(urls)!, "--rate", Invariant(parse.GetValue(rate)), "--payload-bytes", Invariant(parse.GetValue(payload)),
             "--retention", Invariant(parse.GetValue(retention)), .. ControlTokenOption.TargetArgs(parse.GetValue(token)),
             .. Optional("--publish-to", parse.GetValue(publishTo)), .. Optional("--follow", parse.GetValue(follow)),
             .. Optional("--h2c-url", parse.GetValue(h2c)), .. Optional("--https-url", parse.GetValue(https)),
             .. Optional("--compression", parse.GetValue(compression))],
            announce: null, cancellationToken));
        return command;
    }

    private static string[] Optional(string name, string? value) => value is null ? [] : [name, value];

    /// <summary>Hosts the target until <paramref name="cancellationToken"/> (Ctrl+C) fires.</summary>
    public static async Task<int> RunTargetAsync(string[] targetArgs, Action<ICollection<string>>? announce, CancellationToken cancellationToken)
    {
        try
        {
            await using var app = TargetApp.Build(targetArgs);
            await app.StartAsync(cancellationToken);
            announce?.Invoke(app.Urls);
            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Success;
        }
        catch (TargetConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: {e.Message}");
            return ExitCodes.UsageError;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"loadbench: cannot listen: {e.Message}");
            return ExitCodes.RunFailed;
        }
        catch (InvalidOperationException e) when (targetArgs.Contains("--publish-to") || targetArgs.Contains("--follow"))
        {
            // NATS unreachable, no stream to follow, a replica that could not catch up: say which, not a stack trace.
            await Console.Error.WriteLineAsync($"loadbench: {e.Message}");
            return ExitCodes.RunFailed;
        }
    }

    private static string Invariant(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
