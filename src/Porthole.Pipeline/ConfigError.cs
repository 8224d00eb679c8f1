namespace Porthole.Pipeline;

/// <summary>
/// One problem with a config, at the YAML node that causes it. <see cref="Line"/> and <see cref="Column"/>
/// are 1-based. <see cref="Feature"/> names the unsupported feature when the config is valid but asks
/// for something Porthole does not do; it is null for plain mistakes.
/// </summary>
public sealed record ConfigError(string File, int Line, int Column, string Message, string? Feature)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
