namespace Porthole.Pipeline.Yaml;

/// <summary>A list or map whose start event has been read and whose children are being collected.</summary>
internal sealed class LoaderFrame(Position start, string? anchor, bool isMap, bool isFlow)
{
    public Position Start { get; } = start;

    public string? Anchor { get; } = anchor;

    public bool IsMap { get; } = isMap;

    public bool IsFlow { get; } = isFlow;

    /// <summary>For a list its items; for a map its keys and values, alternating.</summary>
    public List<Node> Children { get; } = [];

    public ListNode ToList()
    {
        long size = 1;
        var depth = 0;
        foreach (var child in Children)
        {
            size += child.ExpandedSize;
            depth = Math.Max(depth, child.Depth);
        }

        return new ListNode(Start, [.. Children], size, depth + 1);
    }
}
