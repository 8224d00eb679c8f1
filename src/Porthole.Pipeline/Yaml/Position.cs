namespace Porthole.Pipeline.Yaml;

/// <summary>
/// A 1-based line and column in the config text, or in another file read with it (<see cref="File"/>: a registry orb's
/// source, named by its reference); null <see cref="File"/> is the config itself.
/// </summary>
internal readonly record struct Position(int Line, int Column)
{
    public static Position Start { get; } = new(1, 1);

    public string? File { get; init; }
}
