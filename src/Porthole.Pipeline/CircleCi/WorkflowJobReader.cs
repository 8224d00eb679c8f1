using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// One entry of a workflow's <c>jobs:</c> list: a job name, or <c>{name: {requires, name, filters, context, type}}</c>
/// (dialects.md §A6). A version 2.1 config reaches here compiled: its matrices, parameters and pre/post-steps are gone.
/// </summary>
internal static class WorkflowJobReader
{
    public static WorkflowJob? Read(Node item, IReadOnlyDictionary<string, JobPlan?> jobs, CircleCiContext context)
    {
        var errors = context.Errors;
        string job;
        Node? settings = null;
        switch (item)
        {
            case ScalarNode { IsNull: false } scalar:
                job = scalar.Value;
                break;
            case MapNode { Entries.Count: 1 } map:
                job = map.Entries[0].Name;
                settings = map.Entries[0].Value is ScalarNode { IsNull: true } ? null : map.Entries[0].Value;
                break;
            case MapNode map:
                // Usually requires: indented as far as the job name instead of under it.
                errors.Add(item, $"a workflow job is a map with one key, the job's name; this one has {map.Entries.Count}: {string.Join(", ", map.Entries.Select(e => e.Name))}");
                return null;
            default:
                errors.Add(item, $"a workflow job must be a job name or a map with one, found {item.Describe()}");
                return null;
        }

        var name = job;
        var requires = new List<RequiredJob>();
        var type = JobType.Build;
        JobFilters? filters = null;
        IReadOnlyList<string> contexts = [];
        if (settings is not null && Expect.Map(settings, $"the settings of job '{job}'", errors) is { } options)
        {
            foreach (var entry in options.Entries)
            {
                switch (entry.Name)
                {
                    case "requires":
                        requires.AddRange(ReadRequires(entry.Value, context));
                        break;
                    case "name":
                        name = context.Text(entry.Value, "name") ?? name;
                        break;
                    case "type":
                        type = ReadType(entry, context);
                        break;
                    case "filters":
                        filters = JobFilters.Read(entry.Value, errors);
                        break;
                    case "context":
                        contexts = ContextNames.Read(entry.Value, errors);
                        break;
                    case "serial-group" or "override-with":
                        errors.Refuse(entry.Key, entry.Name, $"{entry.Name} is not supported");
                        break;
                    case var _ when context.IsCompiled:
                        // The compiler has bound the arguments, matrix and pre/post-steps of every invocation it could
                        // compile; one it passed on unchanged has been reported already.
                        break;
                    case "matrix":
                        context.Needs21(entry.Key, "job matrices");
                        break;
                    case "pre-steps" or "post-steps":
                        context.Needs21(entry.Key, "pre-steps and post-steps");
                        break;
                    default:
                        // Anything else is an argument for a parameterized 2.1 job.
                        context.Needs21(entry.Key, $"job parameters ('{entry.Name}' is passed to job '{job}')");
                        break;
                }
            }
        }

        CheckDefinition(item, job, type, jobs, context);
        return new WorkflowJob(name, job, item, requires) { Type = type, Filters = filters, Contexts = contexts };
    }

    /// <summary>A build job must be defined under <c>jobs:</c>; an approval must not be (§A6: it has no steps).</summary>
    private static void CheckDefinition(Node item, string job, JobType type, IReadOnlyDictionary<string, JobPlan?> jobs, CircleCiContext context)
    {
        var errors = context.Errors;
        if (type == JobType.Approval)
        {
            if (jobs.ContainsKey(job))
            {
                errors.Add(item, $"approval job '{job}' has the name of a job under jobs; an approval job has no steps and must not be a job in jobs:, so give it a name of its own");
            }

            return;
        }

        // Defined, or invoked but left uncompiled by the compiler, which has said why at this same entry.
        if (jobs.ContainsKey(job) || context.Unresolved.Contains(job))
        {
            return;
        }

        if (job.Contains('/', StringComparison.Ordinal))
        {
            // In a compiled config the compiler has reported an orb job it could not resolve, at this same entry.
            if (!context.IsCompiled)
            {
                context.Needs21(item, $"orbs ('{job}' is an orb job)");
            }
        }
        else
        {
            errors.Add(item, $"job '{job}' is not defined under jobs");
        }
    }

    private static IEnumerable<RequiredJob> ReadRequires(Node node, CircleCiContext context)
    {
        if (Expect.List(node, "requires", context.Errors) is not { } list)
        {
            yield break;
        }

        foreach (var item in list.Items)
        {
            if (item is MapNode)
            {
                context.Errors.Refuse(item, "requires with job statuses", "requires with job statuses are not supported");
                continue;
            }

            if (context.Text(item, "a requires entry") is { } name)
            {
                yield return new RequiredJob(name, item);
            }
        }
    }

    private static JobType ReadType(MapEntry type, CircleCiContext context)
    {
        switch (context.Text(type.Value, "type"))
        {
            case "approval":
                return JobType.Approval;
            case { } other:
                // CR: approval is the only type a workflow may set.
                context.Errors.Add(type.Value, $"unknown job type '{other}'; the only type a workflow job may have is approval");
                break;
        }

        return JobType.Build;
    }
}
