namespace LoadBench.Syntax.Rules;

/// <summary>An absolute rule's comparison.</summary>
public enum Comparison
{
    AtMost,
    Below,
    AtLeast,
    Above,
    EqualTo,
}
