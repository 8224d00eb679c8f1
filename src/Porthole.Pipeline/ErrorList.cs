using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline;

/// <summary>Collects the errors of one config; readers keep going after an error so the user sees them all.</summary>
internal sealed class ErrorList(string file)
{
    private readonly List<ConfigError> _errors = [];
    private readonly HashSet<(int Line, int Column, string Message)> _seen = [];

    public int Count => _errors.Count;

    public void Add(Position at, string message) => Append(at, message, null);

    public void Add(Node node, string message) => Append(node.Start, message, null);

    /// <summary>The config asks for <paramref name="feature"/>, which Porthole does not do.</summary>
    public void Refuse(Node node, string feature, string message) => Append(node.Start, message, feature);

    /// <summary>In file order; an error reported twice at the same place (a shared anchor used by many jobs) is kept once.</summary>
    public IReadOnlyList<ConfigError> ToList() =>
        [.. _errors.OrderBy(error => error.Line).ThenBy(error => error.Column)];

    private void Append(Position at, string message, string? feature)
    {
        if (_seen.Add((at.Line, at.Column, message)))
        {
            _errors.Add(new ConfigError(file, at.Line, at.Column, message, feature));
        }
    }
}
