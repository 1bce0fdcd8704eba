using LoadBench.Contracts;

namespace LoadBench.Reporting;

/// <summary>
/// One colour per transport, used by every chart, the HTML report and the demo page, so a reader learns
/// the colours once. Taken from the Okabe–Ito palette, which stays distinguishable with the common kinds of
/// colour blindness and in greyscale print.
/// <list type="bullet">
/// <item><description>Short polling (<c>poll</c>): <c>#E69F00</c> (orange)</description></item>
/// <item><description>Long polling (<c>longpoll</c>): <c>#CC79A7</c> (reddish purple)</description></item>
/// <item><description>Server-Sent Events (<c>sse</c>): <c>#009E73</c> (bluish green)</description></item>
/// <item><description>WebSocket (<c>ws</c>): <c>#0072B2</c> (blue)</description></item>
/// <item><description>anything else: <c>#7F7F7F</c> (grey)</description></item>
/// </list>
/// </summary>
public static class TransportColors
{
    public const string PollingHex = "#E69F00";
    public const string LongPollingHex = "#CC79A7";
    public const string SseHex = "#009E73";
    public const string WebSocketHex = "#0072B2";
    public const string OtherHex = "#7F7F7F";

    /// <summary>The colour of a transport id (<see cref="TransportIds"/>) as <c>#RRGGBB</c>; grey for unknown ids.</summary>
    public static string Hex(string transportId) => transportId switch
    {
        TransportIds.Polling => PollingHex,
        TransportIds.LongPolling => LongPollingHex,
        TransportIds.Sse => SseHex,
        TransportIds.WebSocket => WebSocketHex,
        _ => OtherHex,
    };

    /// <summary>The same colour for ScottPlot.</summary>
    public static ScottPlot.Color Color(string transportId) => ScottPlot.Color.FromHex(Hex(transportId));
}
