namespace Porthole.Pipeline.Yaml;

/// <summary>Builds nodes during expansion, with their expanded size and depth computed as the loader does.</summary>
internal static class NodeFactory
{
    public static MapNode Map(Position at, IReadOnlyList<MapEntry> entries, CallSite? via = null)
    {
        long size = 1;
        var depth = 0;
        foreach (var entry in entries)
        {
            size += 1 + entry.Value.ExpandedSize;
            depth = Math.Max(depth, entry.Value.Depth);
        }

        return new MapNode(at, entries, size, depth + 1) { Via = via };
    }

    public static ListNode List(Position at, IReadOnlyList<Node> items, CallSite? via = null)
    {
        long size = 1;
        var depth = 0;
        foreach (var item in items)
        {
            size += item.ExpandedSize;
            depth = Math.Max(depth, item.Depth);
        }

        return new ListNode(at, items, size, depth + 1) { Via = via };
    }

    /// <summary>A scalar; <paramref name="plain"/> false reads as a string whatever its text (a quoted scalar).</summary>
    public static ScalarNode Scalar(Position at, string value, bool plain, CallSite? via = null) =>
        new(at, value, plain, null) { Via = via };

    /// <summary>A key for a built map, at <paramref name="at"/>.</summary>
    public static ScalarNode Key(Position at, string name, CallSite? via = null) => new(at, name, true, null) { Via = via };

    public static MapEntry Entry(Position at, string name, Node value, CallSite? via = null) => new(Key(at, name, via), value);

    /// <summary>The same node with <see cref="Node.Via"/> set (only that node; its children keep theirs).</summary>
    public static Node WithVia(Node node, CallSite? via) => node switch
    {
        MapNode map => new MapNode(map.Start, map.Entries, map.ExpandedSize, map.Depth) { Via = via },
        ListNode list => new ListNode(list.Start, list.Items, list.ExpandedSize, list.Depth) { Via = via },
        ScalarNode scalar => new ScalarNode(scalar.Start, scalar.Value, scalar.IsPlain, scalar.Tag, scalar.IsVerbatim) { Via = via },
        _ => node,
    };
}
