using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// The <c>workflows:</c> map, or CircleCI 2.0's implicit workflow that runs the <c>build</c> job. Every job invoked
/// in a workflow counts towards the pipeline's <see cref="PipelineSize"/>, in file order.
/// </summary>
internal static class WorkflowReader
{
    public static IReadOnlyList<WorkflowPlan> Read(MapNode root, IReadOnlyDictionary<string, JobPlan?> jobs, PipelineSize size, CircleCiContext context)
    {
        var errors = context.Errors;
        if (!root.TryGet("workflows", out var workflows))
        {
            return Implicit(root, jobs, size, errors);
        }

        var map = Expect.Map(workflows.Value, "workflows", errors);
        if (map is null)
        {
            return [];
        }

        var plans = new List<WorkflowPlan>();
        foreach (var entry in map.Entries)
        {
            if (entry.Name == "version")
            {
                // Required by 2.0, optional and ignored by 2.1.
                if (entry.Value is not ScalarNode { Value: "2" or "2.0" or "2.1" })
                {
                    errors.Add(entry.Value, "the workflows version must be 2");
                }

                continue;
            }

            if (ReadWorkflow(entry, jobs, size, context) is { } plan)
            {
                plans.Add(plan);
            }
        }

        if (plans.Count == 0 && errors.Count == 0)
        {
            errors.Add(workflows.Key, "workflows holds no workflow");
        }

        return plans;
    }

    private static IReadOnlyList<WorkflowPlan> Implicit(MapNode root, IReadOnlyDictionary<string, JobPlan?> jobs, PipelineSize size, ErrorList errors)
    {
        if (jobs.TryGetValue(CircleCiDefaults.ImplicitJob, out var build))
        {
            if (build is null || root.Get("jobs") is not MapNode defined || !defined.TryGet(CircleCiDefaults.ImplicitJob, out var entry)
                || !size.Add(entry.Key, build.Parallelism))
            {
                return [];
            }

            return [new WorkflowPlan(CircleCiDefaults.ImplicitWorkflow, [build])];
        }

        if (jobs.Count > 0)
        {
            Node at = root.TryGet("jobs", out var entry) ? entry.Key : root;
            errors.Add(at, "there are no workflows and no job named 'build'; without workflows CircleCI runs the build job");
        }

        return [];
    }

    private static WorkflowPlan? ReadWorkflow(MapEntry workflow, IReadOnlyDictionary<string, JobPlan?> jobs, PipelineSize size, CircleCiContext context)
    {
        var errors = context.Errors;
        var map = Expect.Map(workflow.Value, $"workflow '{workflow.Name}'", errors);
        if (map is null)
        {
            return null;
        }

        ListNode? list = null;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "jobs":
                    list = Expect.List(entry.Value, "jobs", errors);
                    break;
                case "triggers":
                    errors.Refuse(entry.Key, "scheduled triggers", "scheduled triggers are not supported");
                    break;
                case "when" or "unless":
                    errors.Refuse(entry.Key, "workflow conditions", $"workflow conditions ({entry.Name}) are not supported");
                    break;
                default:
                    errors.Add(entry.Key, $"unknown workflow key '{entry.Name}'");
                    break;
            }
        }

        if (list is null || list.Items.Count == 0)
        {
            if (list is not null || !map.Has("jobs"))
            {
                errors.Add(workflow.Key, $"workflow '{workflow.Name}' has no jobs");
            }

            return null;
        }

        var entries = new List<WorkflowJob>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.Items)
        {
            if (WorkflowJobReader.Read(item, jobs, context) is not { } job)
            {
                continue;
            }

            if (!names.Add(job.Name))
            {
                errors.Add(item, $"job '{job.Name}' is listed twice in workflow '{workflow.Name}'; give one a distinct name:");
                continue;
            }

            // Parallelism makes nodes, not jobs (dialects.md §A5: N identical copies); a job whose definition is
            // broken is reported already and counts as one node.
            size.Add(item, jobs.GetValueOrDefault(job.Job)?.Parallelism ?? 1);
            entries.Add(job);
        }

        RequiresGraph.Check(workflow.Name, entries, errors);
        var plans = new List<JobPlan>();
        foreach (var entry in entries)
        {
            if (jobs.TryGetValue(entry.Job, out var definition) && definition is not null)
            {
                plans.Add(definition with { Name = entry.Name, Requires = [.. entry.Requires.Select(r => r.Name)] });
            }
        }

        return new WorkflowPlan(workflow.Name, plans);
    }
}
