namespace Porthole.Pipeline.Yaml;

internal sealed class ScalarNode(Position start, string value, bool isPlain, string? tag)
    : Node(start, 1, 1)
{
    public string Value { get; } = value;

    /// <summary>Unquoted and not a block scalar: only such scalars can be null, booleans or the merge key.</summary>
    public bool IsPlain { get; } = isPlain;

    /// <summary>The explicit tag (e.g. <c>tag:yaml.org,2002:str</c>), null when implicit.</summary>
    public string? Tag { get; } = tag;

    public bool IsNull => IsPlain && Tag is null && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "nothing" : "a string";

    public override Node At(Position useSite) => new ScalarNode(useSite, Value, IsPlain, Tag);

    public override string ToString() => Value;
}
