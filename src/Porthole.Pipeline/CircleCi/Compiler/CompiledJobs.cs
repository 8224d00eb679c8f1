using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// The plain jobs a compilation makes, keyed as the compiled <c>jobs:</c> map keys them: by invocation name, the same
/// body invoked alike from two workflows kept once, a different body under a taken name given the next free <c>name-N</c>.
/// </summary>
internal sealed class CompiledJobs
{
    private readonly Dictionary<string, MapNode> _bodies = new(StringComparer.Ordinal);
    private readonly List<MapEntry> _entries = [];

    public IReadOnlyList<MapEntry> Entries => _entries;

    /// <summary>The key <paramref name="body"/> is stored under.</summary>
    public string Add(string name, MapNode body, Node at)
    {
        var key = name;
        for (var n = 2; _bodies.TryGetValue(key, out var existing); n++)
        {
            if (NodeEquality.Same(existing, body))
            {
                return key;
            }

            key = $"{name}-{n}";
        }

        _bodies[key] = body;
        _entries.Add(NodeFactory.Entry(at.Start, key, body));
        return key;
    }
}
