namespace Porthole.Pipeline.Yaml;

/// <summary>A 1-based line and column in the config text.</summary>
internal readonly record struct Position(int Line, int Column)
{
    public static Position Start { get; } = new(1, 1);
}
