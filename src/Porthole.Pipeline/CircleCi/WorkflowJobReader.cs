using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>One entry of a workflow's <c>jobs:</c> list: a job name, or <c>{name: {requires: [...], name: ...}}</c>.</summary>
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
        var isApproval = false;
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
                        isApproval = ReadType(entry, context);
                        break;
                    case "filters":
                        errors.Refuse(entry.Key, "branch and tag filters", "branch and tag filters are not supported");
                        break;
                    case "context":
                        errors.Refuse(entry.Key, "contexts", "contexts are not supported");
                        break;
                    case "matrix":
                        errors.Refuse(entry.Key, "job matrices", "job matrices are not supported");
                        break;
                    case "pre-steps" or "post-steps":
                        errors.Refuse(entry.Key, "pre-steps and post-steps", $"{entry.Name} are not supported");
                        break;
                    case "serial-group" or "override-with":
                        errors.Refuse(entry.Key, entry.Name, $"{entry.Name} is not supported");
                        break;
                    default:
                        // Anything else is an argument for a parameterized 2.1 job.
                        errors.Refuse(entry.Key, "job parameters", $"job parameters are not supported ('{entry.Name}' is passed to job '{job}')");
                        break;
                }
            }
        }

        if (!isApproval && !jobs.ContainsKey(job))
        {
            if (job.Contains('/', StringComparison.Ordinal))
            {
                errors.Refuse(item, "orbs", $"orbs are not supported ('{job}' is an orb job)");
            }
            else
            {
                errors.Add(item, $"job '{job}' is not defined under jobs");
            }
        }

        return new WorkflowJob(name, job, item, requires);
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

    private static bool ReadType(MapEntry type, CircleCiContext context)
    {
        switch (context.Text(type.Value, "type"))
        {
            case "approval":
                context.Errors.Refuse(type.Key, "approval jobs", "approval jobs are not supported");
                return true;
            case { } other:
                context.Errors.Add(type.Value, $"unknown job type '{other}'");
                break;
        }

        return false;
    }
}
