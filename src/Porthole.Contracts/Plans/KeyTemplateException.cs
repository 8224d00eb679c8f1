namespace Porthole.Contracts.Plans;

/// <summary>
/// A cache key template that does not parse, or that names something it cannot render. The message is in Go
/// text/template's words (<c>template: cacheKey:1: function "parameters" not defined</c>), as CircleCI prints them.
/// </summary>
public sealed class KeyTemplateException : FormatException
{
    public KeyTemplateException(string message, int offset)
        : base(message)
    {
        Offset = offset;
    }

    public KeyTemplateException()
    {
    }

    public KeyTemplateException(string message)
        : base(message)
    {
    }

    public KeyTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Where in the template's text the problem is (0-based), to point at a line and column of the config.</summary>
    public int Offset { get; }
}
