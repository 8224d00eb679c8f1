using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// What <c>&lt;&lt; … &gt;&gt;</c> may name inside one element (§A1.2): the element's own parameters (scope is lexical:
/// never its caller's), <c>matrix.x</c> in a workflow job invocation, the pipeline parameters (not inside orb bodies) and
/// the pipeline values (always). Values are typed nodes: a whole-scalar reference becomes the node itself.
/// </summary>
internal sealed class TemplateScope
{
    /// <summary>The element, as messages name it: <c>job 'build'</c>, <c>command 'say'</c>.</summary>
    public required string Element { get; init; }

    /// <summary>The element's bound parameters; null when it declares none (every <c>parameters.x</c> is then an error).</summary>
    public IReadOnlyDictionary<string, Node>? Parameters { get; init; }

    /// <summary>This matrix instance's values; null outside a matrix invocation.</summary>
    public IReadOnlyDictionary<string, Node>? Matrix { get; init; }

    /// <summary>The bound pipeline parameters; null inside an orb's body, where they are not in scope (PV).</summary>
    public IReadOnlyDictionary<string, Node>? PipelineParameters { get; init; }

    /// <summary>
    /// Only the pipeline's references are resolved (in an element's parameter declarations): <c>parameters.x</c> and
    /// <c>matrix.x</c> are left as written, without an error.
    /// </summary>
    public bool PipelineOnly { get; init; }

    /// <summary><c>pipeline.X</c> values by their dotted name after <c>pipeline.</c> (<c>git.branch</c>, <c>number</c>).</summary>
    public required IReadOnlyDictionary<string, Node> PipelineValues { get; init; }
}
