using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// The <c>workflows:</c> map compiled (§A0 step 5, §A2): workflows whose <c>when</c>/<c>unless</c> fail are dropped,
/// matrices expanded, invocations named (a job invoked twice without <c>name:</c> becomes <c>job-1</c>, <c>job-2</c>),
/// <c>requires</c> resolved (a matrix alias means all its instances), and each invocation compiled to a plain job in
/// <see cref="CompiledJobs"/>. The result is a plain workflows map the workflow reader reads as it reads version 2.
/// </summary>
internal sealed class WorkflowExpander(CompileSession session, JobExpander jobs, Namespace global, CompiledJobs compiled)
{
    /// <summary>Invocation keys that belong to the workflow, not to the job's parameters (CR; §A1.1 reserved names).</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "requires", "name", "context", "type", "filters", "matrix", "pre-steps", "post-steps", "serial-group", "override-with",
    };

    private readonly Dictionary<Element, string> _plainKeys = [];

    public MapNode? Expand(MapNode workflows)
    {
        var entries = new List<MapEntry>();
        foreach (var entry in workflows.Entries)
        {
            if (entry.Name == "version")
            {
                entries.Add(entry);
                continue;
            }

            if (entry.Value is not MapNode workflow)
            {
                entries.Add(entry);
                continue;
            }

            if (Runs(workflow) && ExpandWorkflow(entry.Name, workflow) is { } plain)
            {
                entries.Add(new MapEntry(entry.Key, plain));
            }
        }

        return NodeFactory.Map(workflows.Start, entries, workflows.Via);
    }

    /// <summary>§A3: a workflow's <c>when</c> must hold and its <c>unless</c> must not; both see pipeline values and parameters only.</summary>
    private bool Runs(MapNode workflow)
    {
        var errors = session.Errors;
        var runs = true;
        foreach (var entry in workflow.Entries.Where(e => e.Name is "when" or "unless"))
        {
            var statement = Template.Substitute(entry.Value, session.PipelineScope(), null, errors, session.Budget);
            var holds = Logic.Evaluate(statement, errors);
            runs &= entry.Name == "when" ? holds : !holds;
        }

        return runs;
    }

    private MapNode? ExpandWorkflow(string name, MapNode workflow)
    {
        var entries = new List<MapEntry>();
        foreach (var entry in workflow.Entries)
        {
            switch (entry.Name)
            {
                case "when" or "unless":
                    break;
                case "jobs" when entry.Value is ListNode list:
                    entries.Add(new MapEntry(entry.Key, ExpandJobs(name, list)));
                    break;
                default:
                    // triggers and anything unknown: substituted, then read (or refused) by the workflow reader.
                    entries.Add(new MapEntry(entry.Key, Template.Substitute(entry.Value, session.PipelineScope(), null, session.Errors, session.Budget)));
                    break;
            }
        }

        return NodeFactory.Map(workflow.Start, entries, workflow.Via);
    }

    private ListNode ExpandJobs(string workflow, ListNode list)
    {
        var invocations = new List<Invocation>();
        foreach (var item in list.Items)
        {
            if (session.Budget.IsExhausted)
            {
                break;
            }

            Invocations(item, invocations);
        }

        var names = new Names(Aliases(invocations), Repeat(invocations));
        var items = new List<Node>(invocations.Count);
        foreach (var invocation in invocations)
        {
            items.Add(invocation.Passthrough ?? Plain(workflow, invocation, names));
        }

        return NodeFactory.List(list.Start, items, list.Via);
    }

    /// <summary>The invocations one list item makes: one, or one per matrix instance.</summary>
    private void Invocations(Node item, List<Invocation> into)
    {
        var errors = session.Errors;
        string job;
        MapNode? settings = null;
        switch (item)
        {
            case ScalarNode { IsNull: false } scalar:
                job = scalar.Value;
                break;
            case MapNode { Entries.Count: 1 } map when map.Entries[0].Value is MapNode or ScalarNode { IsNull: true }:
                job = map.Entries[0].Name;
                settings = map.Entries[0].Value as MapNode;
                break;
            default:
                // The workflow reader says what is wrong with it.
                into.Add(new Invocation(item) { Passthrough = item });
                return;
        }

        MatrixSpec? matrix = null;
        if (settings?.Get("matrix") is { } matrixNode)
        {
            var substituted = Template.Substitute(matrixNode, session.PipelineScope(), null, errors, session.Budget);
            matrix = MatrixExpander.Read(substituted, job, errors);
            if (matrix is null)
            {
                return;
            }
        }

        if (matrix is null)
        {
            into.Add(Build(item, job, settings, null, null));
            return;
        }

        foreach (var instance in matrix.Instances)
        {
            var values = instance.Values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            var invocation = Build(item, job, settings, values, instance.DefaultName);
            into.Add(invocation with { Alias = matrix.Alias });
        }
    }

    private Invocation Build(Node item, string job, MapNode? settings, IReadOnlyDictionary<string, Node>? matrix, string? defaultName)
    {
        var errors = session.Errors;
        var scope = session.PipelineScope(matrix);
        var rest = settings is null ? null : ExecutorMerger.Without(settings, "matrix");
        var substituted = rest is null ? null : Template.Substitute(rest, scope, null, errors, session.Budget) as MapNode;
        var explicitName = substituted?.Get("name") is ScalarNode { IsNull: false } name ? name.Value : null;
        return new Invocation(item)
        {
            Job = job,
            Matrix = matrix,
            Settings = substituted,
            ExplicitName = explicitName,
            Name = explicitName ?? defaultName ?? job,
        };
    }

    /// <summary>
    /// RC "Invoking the same job multiple times": unnamed repeats become <c>job-1</c>, <c>job-2</c>, …. Returns how many
    /// jobs each repeated name now stands for, so a <c>requires</c> on it can be refused as ambiguous.
    /// </summary>
    private static Dictionary<string, int> Repeat(List<Invocation> invocations)
    {
        var repeated = new Dictionary<string, int>(StringComparer.Ordinal);
        var groups = invocations.Where(i => i.Passthrough is null && i.ExplicitName is null)
            .GroupBy(i => i.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .ToList();
        foreach (var group in groups)
        {
            repeated[group.Key] = group.Count();
            var n = 0;
            foreach (var invocation in group)
            {
                invocation.Repeated = true;
                invocation.Name = $"{invocation.Name}-{++n}";
            }
        }

        return repeated;
    }

    /// <summary>Matrix aliases (by default the job's name) to their instances' names (§A2).</summary>
    private static Dictionary<string, List<string>> Aliases(List<Invocation> invocations)
    {
        var aliases = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var invocation in invocations.Where(i => i.Alias is not null))
        {
            if (!aliases.TryGetValue(invocation.Alias!, out var names))
            {
                aliases[invocation.Alias!] = names = [];
            }

            names.Add(invocation.Name);
        }

        return aliases;
    }

    /// <summary>The invocation as a plain workflow entry, <c>{key: {name, requires, context, filters, type}}</c>, its job compiled.</summary>
    private Node Plain(string workflow, Invocation invocation, Names names)
    {
        var errors = session.Errors;
        var item = invocation.Item;
        var settings = invocation.Settings;
        var isApproval = settings?.Get("type") is ScalarNode { Value: "approval" };
        var options = new List<MapEntry>();
        var arguments = new List<MapEntry>();
        ListNode? pre = null, post = null;
        foreach (var entry in settings?.Entries ?? [])
        {
            switch (entry.Name)
            {
                case "name":
                    break;
                case "requires":
                    options.Add(new MapEntry(entry.Key, Requires(workflow, invocation, entry.Value, names)));
                    break;
                case "pre-steps":
                    pre = Expect.List(entry.Value, "pre-steps", errors);
                    break;
                case "post-steps":
                    post = Expect.List(entry.Value, "post-steps", errors);
                    break;
                case var reserved when Reserved.Contains(reserved):
                    options.Add(entry);
                    break;
                default:
                    arguments.Add(entry);
                    break;
            }
        }

        foreach (var (name, matrixValue) in invocation.Matrix ?? new Dictionary<string, Node>())
        {
            arguments.Add(NodeFactory.Entry(matrixValue.Start, name, matrixValue));
        }

        string key;
        if (isApproval)
        {
            if (global.Jobs.ContainsKey(invocation.Job))
            {
                // §A6: an approval job's name is arbitrary but must not be a job under jobs:.
                errors.Add(item, $"'{invocation.Job}' is a job under jobs:, so it cannot be a type: approval job; give the approval its own name");
            }

            foreach (var argument in arguments)
            {
                errors.Add(argument.Key, $"approval job '{invocation.Name}' takes no arguments ('{argument.Name}')");
            }

            key = invocation.Name;
        }
        else
        {
            var element = global.Find(ElementKind.Job, invocation.Job, out var problem);
            if (element is null)
            {
                if (problem != Namespace.Reported)
                {
                    errors.Add(item, problem ?? $"job '{invocation.Job}' is not defined under jobs");
                }

                session.Unresolved.Add(invocation.Job);
                return item;
            }

            // A job invoked as it is (no arguments, no pre- or post-steps) compiles to the same job every time: it is
            // compiled once and kept under its own name, as a version 2 config would have it.
            var plain = arguments.Count == 0 && pre is null && post is null;
            if (plain && _plainKeys.TryGetValue(element, out var known))
            {
                key = known;
            }
            else
            {
                var body = jobs.Expand(element, arguments, item, pre, post);
                if (body is null)
                {
                    session.Unresolved.Add(invocation.Job);
                    return item;
                }

                key = compiled.Add(plain ? invocation.Job : invocation.Name, body, item);
                if (plain)
                {
                    _plainKeys[element] = key;
                }
            }
        }

        if (key != invocation.Name || invocation.ExplicitName is not null || invocation.Repeated || invocation.Alias is not null)
        {
            options.Insert(0, NodeFactory.Entry(item.Start, "name", NodeFactory.Scalar(item.Start, invocation.Name, plain: false)));
        }

        var value = NodeFactory.Map(item.Start, options, item.Via);
        return NodeFactory.Map(item.Start, [NodeFactory.Entry(item.Start, key, value)], item.Via);
    }

    private Node Requires(string workflow, Invocation invocation, Node requires, Names names)
    {
        if (requires is not ListNode list)
        {
            return requires;
        }

        var items = new List<Node>();
        foreach (var required in list.Items)
        {
            if (required is not ScalarNode { IsNull: false } scalar)
            {
                items.Add(required);
                continue;
            }

            if (names.Aliases.TryGetValue(scalar.Value, out var instances) && !instances.Contains(scalar.Value))
            {
                items.AddRange(instances.Select(name => NodeFactory.Scalar(scalar.Start, name, plain: false, scalar.Via)));
                continue;
            }

            if (names.Repeated.TryGetValue(scalar.Value, out var count))
            {
                // Said here, in CircleCI's words; left out so that the reader does not call it unknown as well.
                session.Errors.Add(scalar, $"Job '{invocation.Name}' requires '{scalar.Value}', which is the name of {count} other jobs in workflow '{workflow}'");
                continue;
            }

            items.Add(scalar);
        }

        return NodeFactory.List(list.Start, items, list.Via);
    }

    /// <summary>One job of a workflow after matrix expansion; <see cref="Passthrough"/> is an entry left for the reader to judge.</summary>
    private sealed record Invocation(Node Item)
    {
        public Node? Passthrough { get; init; }

        public string Job { get; init; } = "";

        public MapNode? Settings { get; init; }

        /// <summary>This instance's matrix values, which are arguments of the job's parameters as well (§A2).</summary>
        public IReadOnlyDictionary<string, Node>? Matrix { get; init; }

        public string? ExplicitName { get; init; }

        public string Name { get; set; } = "";

        /// <summary>The job was invoked more than once without a name: <see cref="Name"/> has a <c>-N</c> suffix.</summary>
        public bool Repeated { get; set; }

        public string? Alias { get; init; }
    }

    /// <summary>What a <c>requires</c> entry may stand for besides one invocation: a matrix alias, or a name several unnamed repeats share.</summary>
    private sealed record Names(Dictionary<string, List<string>> Aliases, Dictionary<string, int> Repeated);
}
