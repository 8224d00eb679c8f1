using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// What every part of one compilation shares: the errors, the node budget, the pipeline's values and bound parameters,
/// and each element's parameter declarations, read once however often the element is invoked.
/// </summary>
internal sealed class CompileSession(ErrorList errors, IReadOnlyDictionary<string, Node> pipelineValues)
{
    private readonly Dictionary<Element, IReadOnlyDictionary<string, ParameterDeclaration>> _declared = [];

    public ErrorList Errors { get; } = errors;

    /// <summary>Jobs invoked that could not be compiled (reported already), so the reader does not report them again as undefined.</summary>
    public HashSet<string> Unresolved { get; } = new(StringComparer.Ordinal);

    public ExpansionBudget Budget { get; } = new(errors);

    public IReadOnlyDictionary<string, Node> PipelineValues { get; } = pipelineValues;

    /// <summary>The bound pipeline parameters (§A0 step 2); empty until they are bound.</summary>
    public IReadOnlyDictionary<string, Node> PipelineParameters { get; set; } = new Dictionary<string, Node>(StringComparer.Ordinal);

    /// <summary>The scope of the config outside any element: workflows, their invocations, the <c>orbs:</c> versions.</summary>
    public TemplateScope PipelineScope(IReadOnlyDictionary<string, Node>? matrix = null) => new()
    {
        Element = "the workflows",
        Matrix = matrix,
        PipelineParameters = PipelineParameters,
        PipelineValues = PipelineValues,
    };

    /// <summary>The scope inside <paramref name="element"/>: its own parameters, and the pipeline's unless it is an orb's (PV).</summary>
    public TemplateScope ScopeOf(Element element, IReadOnlyDictionary<string, Node>? parameters) => new()
    {
        Element = element.Label,
        Parameters = parameters,
        PipelineParameters = element.Owner.IsOrb ? null : PipelineParameters,
        PipelineValues = PipelineValues,
    };

    /// <summary>
    /// Binds the arguments of an invocation (§A1.2). A parameter whose argument was refused (missing, ill-typed) is bound
    /// to an empty string, so that its uses are not reported again as undeclared: the refusal already keeps the plan from being made.
    /// </summary>
    public IReadOnlyDictionary<string, Node>? Bind(Element element, IReadOnlyDictionary<string, ParameterDeclaration> declared, IReadOnlyList<MapEntry> arguments, Node at)
    {
        if (declared.Count == 0)
        {
            // Still reports arguments given to an element that declares none.
            ParameterBinder.Bind(declared, arguments, at, element.Label, Errors);
            return null;
        }

        var bound = ParameterBinder.Bind(declared, arguments, at, element.Label, Errors);
        if (bound.Count == declared.Count)
        {
            return bound;
        }

        var complete = new Dictionary<string, Node>(bound, StringComparer.Ordinal);
        foreach (var name in declared.Keys.Where(name => !bound.ContainsKey(name)))
        {
            complete[name] = NodeFactory.Scalar(at.Start, "", plain: false);
        }

        return complete;
    }

    private TemplateScope DeclarationScope(Element element) => new()
    {
        Element = element.Label,
        PipelineParameters = element.Owner.IsOrb ? null : PipelineParameters,
        PipelineValues = PipelineValues,
        PipelineOnly = true,
    };

    /// <summary>The element's declared parameters, read (and their errors reported) the first time only.</summary>
    public IReadOnlyDictionary<string, ParameterDeclaration> Declarations(Element element, MapNode body)
    {
        if (!_declared.TryGetValue(element, out var declared))
        {
            // Pipeline values (and, outside orbs, pipeline parameters) may stand in a declaration: a default of
            // << pipeline.git.branch >> is the branch (§A0 step 3: substituted everywhere). Other references stay as written.
            declared = body.Get("parameters") is { } parameters
                ? ParameterDeclarations.Read(Template.Substitute(parameters, DeclarationScope(element), null, Errors, Budget), element.Label, pipeline: false, isJob: element.Kind == ElementKind.Job, Errors)
                : new Dictionary<string, ParameterDeclaration>(StringComparer.Ordinal);
            _declared[element] = declared;
        }

        return declared;
    }
}
