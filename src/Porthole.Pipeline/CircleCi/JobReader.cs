using System.Globalization;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>One entry of the top-level <c>jobs:</c> map, as a <see cref="JobPlan"/> named after its key.</summary>
internal static class JobReader
{
    private static readonly string[] ExecutorKeys = ["docker", "machine", "macos", "windows", "executor"];

    public static JobPlan? Read(MapEntry job, CircleCiContext context)
    {
        var errors = context.Errors;
        var map = Expect.Map(job.Value, $"job '{job.Name}'", errors);
        if (map is null)
        {
            return null;
        }

        var executor = JobExecutor.Of(new ExecutorSpec(ExecutorKind.Shell, null));
        IReadOnlyList<EnvironmentVariable> jobEnvironment = [];
        string? executorKey = null;
        string? shell = null;
        var workingDirectory = CircleCiDefaults.WorkingDirectory;
        var parallelism = 1;
        string? resourceClass = null;
        ListNode? steps = null;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case var key when ExecutorKeys.Contains(key):
                    if (executorKey is not null)
                    {
                        errors.Add(entry.Key, $"job '{job.Name}' has two executors, {executorKey} and {entry.Name}; a job runs on one");
                        break;
                    }

                    executorKey = entry.Name;
                    executor = ExecutorReader.Read(entry, context);
                    break;
                case "shell":
                    shell = context.Text(entry.Value, "shell");
                    break;
                case "working_directory":
                    workingDirectory = context.Text(entry.Value, "working_directory") ?? workingDirectory;
                    break;
                case "environment":
                    jobEnvironment = EnvironmentReader.Read(entry.Value, context);
                    break;
                case "parallelism":
                    parallelism = ReadParallelism(entry.Value, context);
                    break;
                case "steps":
                    steps = Expect.List(entry.Value, "steps", errors);
                    break;
                case "description":
                    // Shown in CircleCI's UI only; it changes nothing about the run.
                    break;
                case "parameters":
                    // Compiled 2.1 has bound them already; version 2 has none.
                    context.Needs21(entry.Key, "job parameters");
                    break;
                case "resource_class":
                    // A runner label where runners have labels; otherwise the runner notes in the log that it ignored it.
                    resourceClass = context.Text(entry.Value, "resource_class");
                    break;
                case "circleci_ip_ranges":
                    Expect.Bool(entry.Value, "circleci_ip_ranges", errors);
                    errors.Warn(entry.Key, "circleci_ip_ranges is accepted and has no effect here: jobs leave from this server's own addresses");
                    break;
                case "branches":
                    // CR: deprecated, and ignored when workflows are used, as they are here (the implicit one too).
                    errors.Warn(entry.Key, "a job's branches: is ignored (CircleCI ignores it when workflows are used); use filters: on the workflow job");
                    break;
                case "type":
                    if (context.Text(entry.Value, "type") is { } type and not "build")
                    {
                        errors.Add(entry.Value, $"a job under jobs: has type build (the default); '{type}' belongs on a workflow job, as type: approval does");
                    }

                    break;
                default:
                    errors.Add(entry.Key, $"unknown job key '{entry.Name}'");
                    break;
            }
        }

        var jobShell = shell ?? executor.Shell ?? CircleCiDefaults.Shell;
        IReadOnlyList<StepPlan> plans = [];
        if (steps is null)
        {
            if (!map.Has("steps"))
            {
                errors.Add(job.Key, $"job '{job.Name}' has no steps");
            }
        }
        else if (steps.Items.Count == 0)
        {
            errors.Add(steps, $"job '{job.Name}' has no steps");
        }
        else
        {
            // An executor: reference (refused in version 2) may well name a docker executor: no step is judged against a guess.
            var kind = executorKey == "executor" ? (ExecutorKind?)null : executor.Executor.Kind;
            plans = StepReader.ReadAll(steps, jobShell, kind, context);
        }

        // CircleCI's precedence: a job's environment wins over its image's.
        var plan = new JobPlan(
            job.Name,
            Requires: [],
            parallelism,
            executor.Executor,
            workingDirectory,
            [.. executor.Environment, .. jobEnvironment],
            plans);
        return plan with { ResourceClass = resourceClass };
    }

    private static int ReadParallelism(Node node, CircleCiContext context)
    {
        var text = context.Text(node, "parallelism");
        if (text is null)
        {
            return 1;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parallelism)
            && parallelism is >= 1 and <= CircleCiDefaults.MaxParallelism)
        {
            return parallelism;
        }

        context.Errors.Add(node, $"parallelism must be a whole number from 1 to {CircleCiDefaults.MaxParallelism}, found '{text}'");
        return 1;
    }
}
