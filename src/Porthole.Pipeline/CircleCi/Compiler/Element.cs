using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>What kind of reusable element a definition is (§A1).</summary>
internal enum ElementKind
{
    Command,
    Executor,
    Job,
}

/// <summary>
/// A command, executor or job definition, with the <see cref="Namespace"/> it was defined in: its own references
/// (<c>say</c>, <c>node/install</c>) are looked up there, and inside an orb the pipeline parameters are not in scope.
/// </summary>
internal sealed class Element(ElementKind kind, string name, MapEntry definition, Namespace owner)
{
    public ElementKind Kind { get; } = kind;

    /// <summary>The name as written where it is defined (<c>install</c>).</summary>
    public string Name { get; } = name;

    public MapEntry Definition { get; } = definition;

    public Namespace Owner { get; } = owner;

    /// <summary>How messages name it: <c>command 'say'</c>, <c>job 'node/test'</c>.</summary>
    public string Label => $"{Kind.ToString().ToLowerInvariant()} '{Owner.Qualify(Name)}'";

    /// <summary>The body, or null (with an error) when the definition is not a map.</summary>
    public MapNode? Body(ErrorList errors) => Expect.Map(Definition.Value, Label, errors);
}
