namespace Porthole.Execution.Docker;

/// <summary>The labels on every container and network of a node, by which the node's end and a runner's next start find them.</summary>
public static class ContainerLabels
{
    /// <summary>The node's process tag (the same value its host processes carry in <c>PORTHOLE_NODE_TAG</c>).</summary>
    public const string Node = "porthole.node";

    /// <summary><c>primary</c> or <c>service</c>.</summary>
    public const string Role = "porthole.role";

    internal static Dictionary<string, string> For(string tag, string role) =>
        new(StringComparer.Ordinal) { [Node] = tag, [Role] = role };

    /// <summary>The engine's filter for a node's objects.</summary>
    internal static IDictionary<string, IDictionary<string, bool>> Filter(string tag) =>
        new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Node}={tag}"] = true } };
}
