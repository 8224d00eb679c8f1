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
    private readonly HashSet<(int Line, int Column, string Message)> _seen = [];
    private readonly HashSet<(int Line, int Column, string Message)> _seenWarnings = [];

    public int Count => _errors.Count;

    public void Add(Position at, string message) => Append(at, message, null);

    public void Add(Node node, string message) => Append(node.Start, message, null);

    /// <summary>The config asks for <paramref name="feature"/>, which Porthole does not do.</summary>
    public void Refuse(Node node, string feature, string message) => Append(node.Start, message, feature);

    /// <summary>A warning at <paramref name="at"/>; reported once per place, as errors are.</summary>
    public void Warn(Position at, string message)
    {
        if (_seenWarnings.Add((at.Line, at.Column, message)))
        {
            _warnings.Add(new ConfigError(file, at.Line, at.Column, message, null));
        }
    }

    public void Warn(Node node, string message) => Warn(node.Start, message);

    /// <summary>In file order; an error reported twice at the same place (a shared anchor used by many jobs) is kept once.</summary>
    public IReadOnlyList<ConfigError> ToList() =>
        [.. _errors.OrderBy(error => error.Line).ThenBy(error => error.Column)];

    /// <summary>The warnings in file order, each place and message once.</summary>
    public IReadOnlyList<ConfigError> Warnings() =>
        [.. _warnings.OrderBy(warning => warning.Line).ThenBy(warning => warning.Column)];

    private void Append(Position at, string message, string? feature)
    {
        if (_seen.Add((at.Line, at.Column, message)))
        {
            _errors.Add(new ConfigError(file, at.Line, at.Column, message, feature));
        }
    }
}
