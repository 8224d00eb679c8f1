namespace Porthole.Pipeline;

/// <summary>A CircleCI config compiled to plain YAML (<see cref="Yaml"/>), or the errors that keep it from compiling (never both).</summary>
public sealed record ProcessResult(string? Yaml, IReadOnlyList<ConfigError> Errors, IReadOnlyList<ConfigError> Warnings)
{
    public bool IsValid => Yaml is not null && Errors.Count == 0;
}
