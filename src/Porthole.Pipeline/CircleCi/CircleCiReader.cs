using Porthole.Contracts.Plans;
using Porthole.Pipeline.CircleCi.Compiler;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// A <c>.circleci/config.yml</c> as a plan: a version 2.1 file compiled to plain config first (<see cref="CircleCiCompiler"/>),
/// then read as a version 2 file is.
/// </summary>
internal static class CircleCiReader
{
    public static PipelinePlan? Read(MapNode root, string path, PipelineSize size, ErrorList errors, ConfigInputs inputs, List<ScheduleTrigger> schedules)
    {
        var version = ReadVersion(root, errors);
        var compiled = version == "2.1" ? CircleCiCompiler.Compile(root, inputs, errors) : null;
        var context = new CircleCiContext(errors, compiled is not null)
        {
            Values = inputs.Values,
            Unresolved = compiled?.Unresolved ?? new HashSet<string>(),
        };
        ReadTopLevelKeys(root, context);
        var plain = compiled?.Root ?? root;
        var jobs = ReadJobs(plain, context);
        var workflows = WorkflowReader.Read(plain, jobs, size, context);
        schedules.AddRange(context.Schedules);
        return errors.Count == 0
            ? new PipelinePlan(ConfigDialect.CircleCi, path, workflows) { Orbs = compiled?.Orbs ?? [], Parameters = compiled?.Parameters ?? [] }
            : null;
    }

    /// <summary>The plain config a 2.1 file compiles to (a version 2 file as it is), for <c>porthole config process</c>.</summary>
    public static MapNode Process(MapNode root, ConfigInputs inputs, ErrorList errors, out IReadOnlyList<OrbUse> orbs)
    {
        var compiled = ReadVersion(root, errors) == "2.1" ? CircleCiCompiler.Compile(root, inputs, errors) : null;
        orbs = compiled?.Orbs ?? [];
        return compiled?.Root ?? root;
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
                case "orbs" or "executors" or "commands" or "parameters":
                    if (!context.IsCompiled)
                    {
                        context.Needs21(entry.Key, entry.Name == "parameters" ? "pipeline parameters" : entry.Name);
                    }

                    break;
                case "setup":
                    errors.Refuse(entry.Key, "dynamic configuration", "dynamic configuration (setup) is not supported");
                    break;
                case "experimental":
                    // CircleCI's notification and pipeline experiments: they never change how a job runs.
                    errors.Warn(entry.Key, "experimental is accepted and has no effect here");
                    break;
                default:
                    // CircleCI ignores other top-level keys; configs use them to hold anchors (references:,
                    // aliases:, defaults:), so accepting them skips nothing CircleCI would do.
                    break;
            }
        }
    }

    private static Dictionary<string, JobPlan?> ReadJobs(MapNode root, CircleCiContext context)
    {
        var errors = context.Errors;
        var jobs = new Dictionary<string, JobPlan?>(StringComparer.Ordinal);
        if (!root.TryGet("jobs", out var entry))
        {
            // Compiled 2.1 has a jobs: map whenever a workflow invokes a job (an orb's ones included); without one the
            // workflows say what is missing.
            if (!context.IsCompiled)
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

        if (map.Entries.Count == 0 && !context.IsCompiled)
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
