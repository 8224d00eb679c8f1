using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// Reads the keys of the root, or of a jobs.include, exclude or allow_failures entry, as travis-yml normalizes them
/// before the matrix is built: aliases renamed (<c>ruby:</c> is <c>rvm:</c>, <c>matrix:</c> is <c>jobs:</c>), empty
/// values dropped, and the values of <c>language</c>, <c>os</c>, <c>arch</c> and <c>dist</c> in Travis's spelling.
/// </summary>
internal static class EntryReader
{
    public static KeyedNodes Read(MapNode map, ErrorList errors)
    {
        var keys = new KeyedNodes();
        var spelled = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            if (entry.Value is ScalarNode { IsNull: true })
            {
                continue;
            }

            var name = MatrixKeys.Canonical(entry.Name);
            if (spelled.TryGetValue(name, out var before) && before != entry.Name)
            {
                // travis-yml: "both rvm and ruby given. rvm overwrites ruby".
                var alias = before == name ? entry.Name : before;
                errors.Warn(entry.Key, $"'{alias}' is another name for '{name}' and both are given; '{name}' is used");
                if (before == name)
                {
                    continue;
                }
            }

            var value = ValueNames.Normalizes(name) ? Normalized(name, entry.Value, errors) : entry.Value;
            if (value is null)
            {
                continue;
            }

            spelled[name] = entry.Name;
            var key = name == entry.Name ? entry.Key : NodeFactory.Key(entry.Key.Start, name, entry.Key.Via);
            keys.Set(new MapEntry(key, value));
        }

        return keys;
    }

    private static Node? Normalized(string key, Node value, ErrorList errors)
    {
        switch (value)
        {
            case ScalarNode scalar:
                return Spelled(key, scalar);
            case ListNode list when key == "language":
                var first = list.Items.OfType<ScalarNode>().FirstOrDefault(item => !item.IsNull);
                errors.Add(value, first is null
                    ? "language must be one language, found a list"
                    : $"language must be one language, found a list; Travis would use the first, '{first.Value}'");
                return first is null ? null : Spelled(key, first);
            case ListNode list when key is "os" or "arch":
                var items = list.Items.Select(item => item is ScalarNode scalar ? Spelled(key, scalar) : item).ToList();
                return items.SequenceEqual(list.Items) ? list : NodeFactory.List(list.Start, items, list.Via);
            case MapNode when key is "language" or "os" or "arch":
                errors.Add(value, $"{key} must be a name such as {(key == "language" ? "ruby" : key == "os" ? "linux" : "amd64")}, found a map");
                return null;
            default:
                return value;
        }
    }

    private static ScalarNode Spelled(string key, ScalarNode scalar)
    {
        if (scalar.IsNull)
        {
            return scalar;
        }

        var value = ValueNames.Normalize(key, scalar.Value);
        return value == scalar.Value ? scalar : NodeFactory.Scalar(scalar.Start, value, scalar.IsPlain, scalar.Via);
    }
}
