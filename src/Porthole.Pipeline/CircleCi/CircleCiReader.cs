using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>A <c>.circleci/config.yml</c> (version 2 or 2.1) as a plan.</summary>
internal static class CircleCiReader
{
    public static PipelinePlan? Read(MapNode root, string path, PipelineSize size, ErrorList errors)
    {
        var version = ReadVersion(root, errors);
        var commands = root.Get("commands") is MapNode defined
            ? defined.Entries.Select(entry => entry.Name).ToHashSet(StringComparer.Ordinal)
            : [];
        var context = new CircleCiContext(errors, version == "2.1", commands);
        ReadTopLevelKeys(root, context);
        var jobs = ReadJobs(root, context);
        var workflows = WorkflowReader.Read(root, jobs, size, context);
        return errors.Count == 0 ? new PipelinePlan(ConfigDialect.CircleCi, path, workflows) : null;
    }

    private static string? ReadVersion(MapNode root, ErrorList errors)
    {
        if (!root.TryGet("version", out var version))
        {
            errors.Add(root, "version is missing; a CircleCI config starts with version: 2 or version: 2.1");
            return null;
        }

        switch (version.Value)
        {
            case ScalarNode { Value: "2" or "2.0" }:
                return "2";
            case ScalarNode { Value: "2.1" }:
                return "2.1";
            case ScalarNode { IsNull: false } other:
                errors.Add(other, $"version {other.Value} is not supported; use version: 2 or version: 2.1");
                return null;
            default:
                errors.Add(version.Value, $"version must be 2 or 2.1, found {version.Value.Describe()}");
                return null;
        }
    }

    private static void ReadTopLevelKeys(MapNode root, CircleCiContext context)
    {
        var errors = context.Errors;
        foreach (var entry in root.Entries)
        {
            switch (entry.Name)
            {
                case "version" or "jobs" or "workflows":
                    break;
                case "orbs":
                    errors.Refuse(entry.Key, "orbs", "orbs are not supported");
                    break;
                case "executors":
                    errors.Refuse(entry.Key, "executors", "executors are not supported");
                    break;
                case "commands":
                    errors.Refuse(entry.Key, "reusable commands", "reusable commands are not supported");
                    break;
                case "parameters":
                    errors.Refuse(entry.Key, "pipeline parameters", "pipeline parameters are not supported");
                    break;
                case "setup":
                    errors.Refuse(entry.Key, "dynamic configuration", "dynamic configuration (setup) is not supported");
                    break;
                case "experimental":
                    ReadExperimental(entry.Value, errors);
                    break;
                default:
                    // CircleCI ignores other top-level keys; configs use them to hold anchors (references:,
                    // aliases:, defaults:), so accepting them skips nothing CircleCI would do.
                    break;
            }
        }
    }

    private static void ReadExperimental(Node node, ErrorList errors)
    {
        if (Expect.Map(node, "experimental", errors) is not { } map)
        {
            return;
        }

        foreach (var entry in map.Entries)
        {
            // notify chooses the branches whose builds send notifications; it never changes how a job runs.
            if (entry.Name != "notify")
            {
                errors.Refuse(entry.Key, $"experimental {entry.Name}", $"experimental {entry.Name} is not supported");
            }
        }
    }

    private static Dictionary<string, JobPlan?> ReadJobs(MapNode root, CircleCiContext context)
    {
        var errors = context.Errors;
        var jobs = new Dictionary<string, JobPlan?>(StringComparer.Ordinal);
        if (!root.TryGet("jobs", out var entry))
        {
            // With orbs (refused already) the jobs may all come from an orb, as in JSkimming's config.
            if (!root.Has("orbs"))
            {
                errors.Add(root, "jobs is missing; a CircleCI config needs a jobs: map");
            }

            return jobs;
        }

        if (entry.Value is not MapNode map)
        {
            errors.Add(entry.Value, $"jobs must be a map of job names to jobs, found {entry.Value.Describe()}");
            return jobs;
        }

        if (map.Entries.Count == 0)
        {
            errors.Add(entry.Key, "jobs is empty");
        }

        foreach (var job in map.Entries)
        {
            jobs[job.Name] = JobReader.Read(job, context);
        }

        return jobs;
    }
}
