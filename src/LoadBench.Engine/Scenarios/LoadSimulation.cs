using System.Globalization;

namespace LoadBench.Engine.Scenarios;

/// <summary>
/// One step of a scenario's load, in NBomber's vocabulary. Closed models (<see cref="KeepConstant"/>,
/// <see cref="RampingConstant"/>) set how many clients run at once; open models (<see cref="Inject"/>,
/// <see cref="RampingInject"/>) set how many requests start per interval, whether earlier ones finished or not.
/// Steps play one after the other; a ramp starts from where the previous step ended (0 before the first).
/// </summary>
public abstract record LoadSimulation(TimeSpan During)
{
    /// <summary>True for the open models, which only request/response transports (poll, longpoll) can follow.</summary>
    public abstract bool IsOpen { get; }

    /// <summary>NBomber's name for this model (<c>KeepConstant</c>, …).</summary>
    public abstract string Model { get; }

    /// <summary>As NBomber would print it, e.g. <c>KeepConstant(copies: 100, during: 00:00:10)</c>.</summary>
    public abstract string Describe();

    protected static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}

/// <summary>Keeps <paramref name="Copies"/> clients running for <paramref name="During"/> (closed model).</summary>
internal sealed record KeepConstant(int Copies, TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => false;
    public override string Model => nameof(KeepConstant);
    public override string Describe() => $"KeepConstant(copies: {Copies}, during: {Format(During)})";
}

/// <summary>Ramps the number of running clients linearly from the previous step's count to
/// <paramref name="Copies"/> over <paramref name="During"/> (closed model).</summary>
internal sealed record RampingConstant(int Copies, TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => false;
    public override string Model => nameof(RampingConstant);
    public override string Describe() => $"RampingConstant(copies: {Copies}, during: {Format(During)})";
}

/// <summary>Starts <paramref name="Rate"/> requests per <paramref name="Interval"/>, evenly spaced, for
/// <paramref name="During"/> (open model).</summary>
internal sealed record Inject(int Rate, TimeSpan Interval, TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => true;
    public override string Model => nameof(Inject);
    public override string Describe() => $"Inject(rate: {Rate}, interval: {Format(Interval)}, during: {Format(During)})";
}

/// <summary>Ramps the request rate linearly from the previous step's rate to <paramref name="Rate"/> per
/// <paramref name="Interval"/> over <paramref name="During"/> (open model).</summary>
internal sealed record RampingInject(int Rate, TimeSpan Interval, TimeSpan During) : LoadSimulation(During)
{
    public override bool IsOpen => true;
    public override string Model => nameof(RampingInject);
    public override string Describe() => $"RampingInject(rate: {Rate}, interval: {Format(Interval)}, during: {Format(During)})";
}
