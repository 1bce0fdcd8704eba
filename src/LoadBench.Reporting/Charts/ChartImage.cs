namespace LoadBench.Reporting.Charts;

/// <summary>A rendered chart: written to <c>plots/{FileStem}.png</c> and <c>.svg</c>, embedded in the HTML.</summary>
/// <param name="FileStem">File name without extension, unique within one report.</param>
/// <param name="Title">What the chart shows, for headings and captions.</param>
/// <param name="AltText">A sentence describing the chart for people who cannot see it.</param>
internal sealed record ChartImage(string FileStem, string Title, string AltText, int Width, int Height, byte[] Png, string Svg)
{
    public string PngRelativePath => $"plots/{FileStem}.png";

    public string SvgRelativePath => $"plots/{FileStem}.svg";
}
