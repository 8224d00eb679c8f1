namespace Porthole.Pipeline.Yaml;

internal sealed class ListNode(Position start, IReadOnlyList<Node> items, long expandedSize, int depth)
    : Node(start, expandedSize, depth)
{
    public IReadOnlyList<Node> Items { get; } = items;

    public override string Describe() => "a list";

    public override Node At(Position useSite) => new ListNode(useSite, Items, ExpandedSize, Depth);
}
