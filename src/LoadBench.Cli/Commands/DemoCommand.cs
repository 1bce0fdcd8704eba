using System.CommandLine;
using LoadBench.Target;

namespace LoadBench.Cli.Commands;

/// <summary><c>loadbench demo</c>: the target with its teaching page; prints the URL to open.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen. Loopback by default: project the teacher's own browser.",
            DefaultValueFactory = _ => TargetOptions.DefaultUrl,
        };
        var rate = new Option<double>("--rate") { Description = "Events per second to start with (the page can change it).", DefaultValueFactory = _ => 5 };
        var token = ControlTokenOption.ForTarget();
        var command = new Command("demo", """
            Serve the live teaching page: the same feed arriving four ways, side by side, in a browser.
            Open the printed URL; change the rate, payload and poll interval, pause, or drop every connection
            and watch each transport recover.

            Examples:
              loadbench demo
              loadbench demo --urls http://127.0.0.1:8080 --rate 20
            """)
        {
            urls, rate, token,
        };
        command.SetAction((parse, cancellationToken) => ServeCommand.RunTargetAsync(
            ["--urls", parse.GetValue(urls)!, "--rate", parse.GetValue(rate).ToString(System.Globalization.CultureInfo.InvariantCulture),
             .. ControlTokenOption.TargetArgs(parse.GetValue(token))],
            announce: addresses =>
            {
                foreach (var address in addresses)
                {
                    Console.WriteLine($"LoadBench demo: open {address.TrimEnd('/')}/demo   (Ctrl+C stops)");
                }
            },
            cancellationToken));
        return command;
    }
}
