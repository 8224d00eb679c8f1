namespace Porthole.Pipeline.Yaml;

internal sealed class ScalarNode(Position start, string value, bool isPlain, string? tag, bool isVerbatim = false)
    : Node(start, 1, 1)
{
    public string Value { get; } = value;

    /// <summary>Unquoted and not a block scalar: only such scalars can be null, booleans or the merge key.</summary>
    public bool IsPlain { get; } = isPlain;

    /// <summary>The explicit tag (e.g. <c>tag:yaml.org,2002:str</c>), null when implicit.</summary>
    public string? Tag { get; } = tag;

    /// <summary>
    /// The value is the config's text exactly as written at <see cref="Node.Start"/>, on that one line: a plain scalar
    /// with no anchor or tag, not reached through an alias. Only then is a character of the value found at
    /// <see cref="Node.Start"/> plus its index (a key template's error points at the character itself).
    /// </summary>
    public bool IsVerbatim { get; } = isVerbatim;

    public bool IsNull => IsPlain && Tag is null && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "nothing" : "a string";

    public override Node At(Position useSite) => new ScalarNode(useSite, Value, IsPlain, Tag);

    /// <summary>Where the character at <paramref name="index"/> of the value is, when <see cref="IsVerbatim"/>; else the scalar's start.</summary>
    public Position PositionOf(int index) =>
        IsVerbatim && index >= 0 && index <= Value.Length ? Start with { Column = Start.Column + index } : Start;

    public override string ToString() => Value;
}
