using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// The <c>workflows:</c> map, or CircleCI 2.0's implicit workflow that runs the <c>build</c> job. Which workflows and
/// jobs run depends on the trigger (dialects.md §A6): a scheduled pipeline runs only the workflow whose schedule fired,
/// a push or API trigger only the workflows without <c>triggers:</c>, and job filters drop what does not run for the
/// branch or tag. With no branch, tag or trigger source (<c>porthole config validate</c>) everything is read and
/// checked and nothing is dropped. Every job that runs counts towards the pipeline's <see cref="PipelineSize"/>.
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

        var read = new List<Workflow>();
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

            if (ReadWorkflow(entry, jobs, context) is { } workflow)
            {
                read.Add(workflow);
            }
        }

        var plans = Plan(read, jobs, size, context.Values);
        if (plans.Count == 0 && errors.Count == 0)
        {
            errors.Add(workflows.Key, read.Count == 0 ? "workflows holds no workflow" : NothingRuns(read, context.Values));
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

    private static Workflow? ReadWorkflow(MapEntry workflow, IReadOnlyDictionary<string, JobPlan?> jobs, CircleCiContext context)
    {
        var errors = context.Errors;
        var map = Expect.Map(workflow.Value, $"workflow '{workflow.Name}'", errors);
        if (map is null)
        {
            return null;
        }

        ListNode? list = null;
        var hasTriggers = false;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "jobs":
                    list = Expect.List(entry.Value, "jobs", errors);
                    break;
                case "triggers":
                    hasTriggers = true;
                    ScheduleReader.Read(entry.Value, workflow.Name, context);
                    break;
                case "when" or "unless":
                    // A compiled 2.1 config has had its conditions evaluated; only a version 2 file gets here with one.
                    context.Needs21(entry.Key, "workflow conditions");
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

            entries.Add(job);
        }

        RequiresGraph.Check(workflow.Name, entries, errors);
        return new Workflow(workflow.Name, entries, hasTriggers);
    }

    /// <summary>The workflows that run for the trigger, each with the jobs that run for its branch or tag.</summary>
    private static List<WorkflowPlan> Plan(List<Workflow> workflows, IReadOnlyDictionary<string, JobPlan?> jobs, PipelineSize size, PipelineValues values)
    {
        var filtering = values.Branch is not null || values.Tag is not null;
        var plans = new List<WorkflowPlan>();
        foreach (var workflow in workflows.Where(workflow => Runs(workflow, values)))
        {
            var entries = filtering ? WorkflowFilter.Apply(workflow.Jobs, values.Branch, values.Tag) : workflow.Jobs;
            var plan = new List<JobPlan>();
            foreach (var entry in entries)
            {
                // Parallelism makes nodes, not jobs (dialects.md §A5: N identical copies); a job whose definition is
                // broken is reported already and counts as one node.
                size.Add(entry.At, jobs.GetValueOrDefault(entry.Job)?.Parallelism ?? 1);
                if (ToPlan(entry, jobs) is { } job)
                {
                    plan.Add(job);
                }
            }

            // A workflow none of whose jobs runs for this branch or tag is not run at all.
            if (entries.Count > 0)
            {
                plans.Add(new WorkflowPlan(workflow.Name, plan));
            }
        }

        return plans;
    }

    /// <summary>§A6: "A workflow with triggers runs only on its schedule, never on pushes"; a schedule runs its own workflow only.</summary>
    private static bool Runs(Workflow workflow, PipelineValues values) => values.TriggerSource switch
    {
        null => true,
        TriggerSources.Schedule => workflow.HasTriggers && workflow.Name == values.ScheduleName,
        _ => !workflow.HasTriggers,
    };

    private static JobPlan? ToPlan(WorkflowJob entry, IReadOnlyDictionary<string, JobPlan?> jobs)
    {
        IReadOnlyList<string> requires = [.. entry.Requires.Select(required => required.Name)];
        if (entry.Type == JobType.Approval)
        {
            return new JobPlan(entry.Name, requires, 1, new ExecutorSpec(ExecutorKind.Shell, null), null, [], [])
            {
                Type = JobType.Approval,
                Contexts = entry.Contexts,
            };
        }

        return jobs.TryGetValue(entry.Job, out var definition) && definition is not null
            ? definition with { Name = entry.Name, Requires = requires, Contexts = entry.Contexts }
            : null;
    }

    private static string NothingRuns(List<Workflow> workflows, PipelineValues values)
    {
        var target = values.Tag is not null && values.Branch is null ? $"tag '{values.Tag}'"
            : values.Branch is not null ? $"branch '{values.Branch}'"
            : "this pipeline";
        if (values.TriggerSource == TriggerSources.Schedule)
        {
            return workflows.Any(workflow => workflow.HasTriggers && workflow.Name == values.ScheduleName)
                ? $"no workflow runs for the schedule of workflow '{values.ScheduleName}' on {target}: the job filters drop every job"
                : $"no workflow runs for the schedule of workflow '{values.ScheduleName}': no workflow of that name has triggers";
        }

        var scheduled = values.TriggerSource is not null && workflows.Any(workflow => workflow.HasTriggers)
            ? "; a workflow with triggers runs only on its schedule, never on pushes"
            : "";
        var filtered = values.Tag is not null && values.Branch is null
            ? "; a job runs on a tag only when it and every job it requires have a tags filter that admits the tag"
            : "";
        return $"no workflow runs for {target}: the job filters drop every job{scheduled}{filtered}";
    }

    /// <summary>A workflow as read: its jobs in list order, and whether it has <c>triggers:</c> (runs on its schedule only).</summary>
    private sealed record Workflow(string Name, IReadOnlyList<WorkflowJob> Jobs, bool HasTriggers);
}
