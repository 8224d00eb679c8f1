using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline;

/// <summary>
/// Collects the errors of one config, and its warnings: what a config asks for that is planned all the same but not
/// quite as written (an old spelling, a cache kind this runner cannot honour). Readers keep going after an error so the
/// user sees them all; a warning never makes a config invalid.
/// </summary>
internal sealed class ErrorList(string file)
{
    private readonly List<ConfigError> _errors = [];
    private readonly List<ConfigError> _warnings = [];
    private readonly HashSet<(string? File, int Line, int Column, string Message)> _seen = [];
    private readonly HashSet<(string? File, int Line, int Column, string Message)> _seenWarnings = [];

    public int Count => _errors.Count;

    public void Add(Position at, string message) => Append(at, message, null);

    /// <summary>The config file's name, as errors name it.</summary>
    public string File => file;

    /// <summary>An error at <paramref name="node"/>, naming the places expansion brought it through (<see cref="Node.Via"/>).</summary>
    public void Add(Node node, string message) => Append(node.Start, message + node.Via?.Describe(file), null);

    /// <summary>The config asks for <paramref name="feature"/>, which Porthole does not do.</summary>
    public void Refuse(Node node, string feature, string message) => Append(node.Start, message + node.Via?.Describe(file), feature);

    /// <summary>A warning at <paramref name="at"/>; reported once per place, as errors are.</summary>
    public void Warn(Position at, string message)
    {
        if (_seenWarnings.Add((at.File, at.Line, at.Column, message)))
        {
            _warnings.Add(new ConfigError(at.File ?? file, at.Line, at.Column, message, null));
        }
    }

    public void Warn(Node node, string message) => Warn(node.Start, message + node.Via?.Describe(file));

    /// <summary>In file order; an error reported twice at the same place (a shared anchor used by many jobs) is kept once.</summary>
    public IReadOnlyList<ConfigError> ToList() =>
        [.. _errors.OrderBy(error => error.File != file).ThenBy(error => error.File, StringComparer.Ordinal).ThenBy(error => error.Line).ThenBy(error => error.Column)];

    /// <summary>The warnings in file order, each place and message once.</summary>
    public IReadOnlyList<ConfigError> Warnings() =>
        [.. _warnings.OrderBy(warning => warning.File != file).ThenBy(warning => warning.File, StringComparer.Ordinal).ThenBy(warning => warning.Line).ThenBy(warning => warning.Column)];

    private void Append(Position at, string message, string? feature)
    {
        if (_seen.Add((at.File, at.Line, at.Column, message)))
        {
            _errors.Add(new ConfigError(at.File ?? file, at.Line, at.Column, message, feature));
        }
    }
}
