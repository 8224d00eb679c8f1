namespace Porthole.Pipeline.Yaml;

/// <summary>
/// A YAML node with its position, after aliases are resolved and merge keys applied. Nodes are immutable
/// and may be shared: an alias is the anchored node again. <see cref="ExpandedSize"/> and
/// <see cref="Depth"/> count as if every alias were written out, so readers can trust both to be bounded.
/// </summary>
internal abstract class Node(Position start, long expandedSize, int depth)
{
    public Position Start { get; } = start;

    public long ExpandedSize { get; } = expandedSize;

    public int Depth { get; } = depth;

    /// <summary>
    /// Where expansion brought this node from (the command invocation, the job invocation…), innermost first; null for
    /// a node read straight from the file. Errors at the node name these places too.
    /// </summary>
    public CallSite? Via { get; init; }

    /// <summary>How the node reads in a message: "a list", "a map", "nothing" or "a string".</summary>
    public abstract string Describe();

    /// <summary>The same node, positioned where an alias to it is used.</summary>
    public abstract Node At(Position useSite);
}
