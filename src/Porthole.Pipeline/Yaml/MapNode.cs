using System.Diagnostics.CodeAnalysis;

namespace Porthole.Pipeline.Yaml;

/// <summary>A mapping with unique string keys, in the order they were written (merged keys where the merge was).</summary>
internal sealed class MapNode : Node
{
    private readonly Dictionary<string, MapEntry> _byName;

    public MapNode(Position start, IReadOnlyList<MapEntry> entries, long expandedSize, int depth)
        : base(start, expandedSize, depth)
    {
        Entries = entries;
        _byName = new Dictionary<string, MapEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            _byName[entry.Name] = entry;
        }
    }

    public IReadOnlyList<MapEntry> Entries { get; }

    public bool TryGet(string name, [NotNullWhen(true)] out MapEntry? entry) => _byName.TryGetValue(name, out entry);

    public Node? Get(string name) => _byName.TryGetValue(name, out var entry) ? entry.Value : null;

    public bool Has(string name) => _byName.ContainsKey(name);

    public override string Describe() => "a map";

    public override Node At(Position useSite) => new MapNode(useSite, Entries, ExpandedSize, Depth);
}
