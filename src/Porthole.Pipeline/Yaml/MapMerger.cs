namespace Porthole.Pipeline.Yaml;

/// <summary>
/// Turns the keys and values of a YAML mapping into a <see cref="MapNode"/>, applying YAML 1.1 merge keys
/// (<c>&lt;&lt;: *a</c> and <c>&lt;&lt;: [*a, *b]</c>), which YamlDotNet leaves to the caller.
/// Keys written in the map win over merged ones; among merged maps the first listed wins, as the merge
/// spec says. A key written twice keeps its last value: CircleCI and Travis read such files (typelevel/cats
/// has two top-level <c>cache:</c> keys) with the later key winning.
/// </summary>
internal static class MapMerger
{
    private const string MergeTag = "tag:yaml.org,2002:merge";

    public static MapNode? Build(LoaderFrame frame, ErrorList errors)
    {
        var written = new Dictionary<string, MapEntry>(StringComparer.Ordinal);
        var pairs = new List<(ScalarNode Key, Node Value, bool IsMerge)>();
        for (var i = 0; i + 1 < frame.Children.Count; i += 2)
        {
            if (frame.Children[i] is not ScalarNode key)
            {
                errors.Add(frame.Children[i], $"a map key must be a string, found {frame.Children[i].Describe()}");
                return null;
            }

            var value = frame.Children[i + 1];
            var isMerge = IsMergeKey(key);
            if (isMerge && !IsMergeable(value))
            {
                errors.Add(value, $"a merge key (<<) takes a map or a list of maps, found {value.Describe()}");
                return null;
            }

            if (!isMerge)
            {
                written[key.Value] = new MapEntry(key, value);
            }

            pairs.Add((key, value, isMerge));
        }

        var entries = new List<MapEntry>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value, isMerge) in pairs)
        {
            if (!isMerge)
            {
                if (placed.Add(key.Value))
                {
                    entries.Add(written[key.Value]);
                }

                continue;
            }

            foreach (var source in Sources(value))
            {
                foreach (var entry in source.Entries)
                {
                    if (!written.ContainsKey(entry.Name) && placed.Add(entry.Name))
                    {
                        entries.Add(entry);
                    }
                }
            }
        }

        long size = 1;
        var depth = 0;
        foreach (var entry in entries)
        {
            size += entry.Key.ExpandedSize + entry.Value.ExpandedSize;
            depth = Math.Max(depth, entry.Value.Depth);
        }

        return new MapNode(frame.Start, entries, size, depth + 1);
    }

    private static bool IsMergeKey(ScalarNode key) =>
        key.IsPlain && key.Value == "<<" && (key.Tag is null || key.Tag == MergeTag);

    private static bool IsMergeable(Node value) =>
        value is MapNode || (value is ListNode list && list.Items.All(item => item is MapNode));

    private static IEnumerable<MapNode> Sources(Node value) =>
        value is MapNode map ? [map] : ((ListNode)value).Items.Cast<MapNode>();
}
