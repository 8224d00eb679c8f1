using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>One matrix key of the root and its values, each one job's value in the expansion (§B9 step 1).</summary>
/// <param name="Key">The key's entry in the root, which names it and says where it is.</param>
internal sealed record MatrixAxis(MapEntry Key, IReadOnlyList<Node> Values)
{
    public string Name => Key.Name;
}
