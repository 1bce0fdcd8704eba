namespace LoadBench.Target.Hosting;

/// <summary>A bad command-line option; the message names the option and what it accepts.</summary>
public sealed class TargetConfigurationException(string message) : Exception(message);
