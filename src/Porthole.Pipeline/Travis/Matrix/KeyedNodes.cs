using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// The keys of a job being built, in order, as Travis's job hashes keep them: setting a key that is there replaces its
/// value in place, a new key goes last. Merging follows Ruby's <c>Hash#merge</c>, which §B9 steps 4 and 5 are made of.
/// </summary>
internal sealed class KeyedNodes
{
    private readonly List<MapEntry> _entries;

    public KeyedNodes() => _entries = [];

    private KeyedNodes(IEnumerable<MapEntry> entries) => _entries = [.. entries];

    public IReadOnlyList<MapEntry> Entries => _entries;

    public int Count => _entries.Count;

    public MapEntry? Entry(string key) => _entries.Find(entry => entry.Name == key);

    public Node? Get(string key) => Entry(key)?.Value;

    public bool Has(string key) => Entry(key) is not null;

    public void Set(MapEntry entry)
    {
        var index = _entries.FindIndex(existing => existing.Name == entry.Name);
        if (index < 0)
        {
            _entries.Add(entry);
        }
        else
        {
            _entries[index] = entry;
        }
    }

    public void Remove(string key) => _entries.RemoveAll(entry => entry.Name == key);

    public KeyedNodes Where(Func<MapEntry, bool> keep) => new(_entries.Where(keep));

    /// <summary><c>this.merge(over)</c>: this map's order, values from <paramref name="over"/> where it has the key, its new keys last.</summary>
    public KeyedNodes MergedWith(KeyedNodes over)
    {
        var merged = new KeyedNodes(_entries);
        foreach (var entry in over._entries)
        {
            merged.Set(entry);
        }

        return merged;
    }
}
