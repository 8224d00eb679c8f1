namespace Porthole.Execution.JobData;

/// <summary>A malformed <see cref="GoPathMatch"/> pattern: Go's <c>filepath.ErrBadPattern</c>, naming the pattern.</summary>
public sealed class BadPatternException : FormatException
{
    public BadPatternException()
    {
    }

    public BadPatternException(string message)
        : base(message)
    {
    }

    public BadPatternException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
