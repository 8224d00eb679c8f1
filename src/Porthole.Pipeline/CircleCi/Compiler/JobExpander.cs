using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// One job invocation compiled to a plain job (§A0 step 6): the job's parameters bound and substituted, its executor
/// merged, its steps expanded, the invocation's <c>pre-steps</c> and <c>post-steps</c> around them.
/// </summary>
internal sealed class JobExpander(CompileSession session, StepExpander steps, ExecutorMerger executors, Namespace global)
{
    /// <summary>The plain job, or null when its definition is not even a map (reported).</summary>
    public MapNode? Expand(Element job, IReadOnlyList<MapEntry> arguments, Node invocation, ListNode? preSteps, ListNode? postSteps)
    {
        var errors = session.Errors;
        if (job.Body(errors) is not { } body)
        {
            return null;
        }

        var declared = session.Declarations(job, body);
        var bound = session.Bind(job, declared, arguments, invocation);

        // A job's body differs per invocation only when it has parameters (or comes from an orb, in another file): then an
        // error in it names the invocation too.
        var via = declared.Count > 0 || job.Owner.IsOrb ? new CallSite(job.Label, invocation.Start, invocation.Via) : null;
        var definition = ExecutorMerger.Without(body, "parameters", "description");
        if (Template.Substitute(definition, session.ScopeOf(job, bound), via, errors, session.Budget) is not MapNode substituted)
        {
            return null;
        }

        if (substituted.TryGet("executor", out var executor))
        {
            substituted = executors.Merge(substituted, executor, job.Owner);
        }

        return WithSteps(substituted, job, preSteps, postSteps);
    }

    private MapNode WithSteps(MapNode job, Element element, ListNode? preSteps, ListNode? postSteps)
    {
        if (!job.TryGet("steps", out var entry) || entry.Value is not ListNode list)
        {
            // The job reader reports a missing or malformed steps: list.
            return job;
        }

        var expanded = new List<Node>();
        if (preSteps is not null)
        {
            expanded.AddRange(steps.Expand(preSteps, global));
        }

        expanded.AddRange(steps.Expand(list, element.Owner));
        if (postSteps is not null)
        {
            expanded.AddRange(steps.Expand(postSteps, global));
        }

        var replaced = new MapEntry(entry.Key, NodeFactory.List(list.Start, expanded, list.Via));
        return NodeFactory.Map(job.Start, [.. job.Entries.Select(e => e.Name == "steps" ? replaced : e)], job.Via);
    }
}
