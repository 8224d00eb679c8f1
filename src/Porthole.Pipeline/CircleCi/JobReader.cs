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
                    errors.Refuse(entry.Key, "job parameters", "job parameters are not supported");
                    break;
                case "resource_class":
                    // It picks the machine's size (and with arm.* its architecture): a job would see a different machine here.
                    errors.Refuse(entry.Key, "resource_class", "resource_class is not supported");
                    break;
                case "branches":
                    errors.Refuse(entry.Key, "branch and tag filters", "branch and tag filters are not supported");
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
            // An executor: reference is refused (reuse is issue 12) and may well name a docker executor: no step is judged against a guess.
            var kind = executorKey == "executor" ? (ExecutorKind?)null : executor.Executor.Kind;
            plans = StepReader.ReadAll(steps, jobShell, kind, context);
        }

        // CircleCI's precedence: a job's environment wins over its image's.
        return new JobPlan(
            job.Name,
            Requires: [],
            parallelism,
            executor.Executor,
            workingDirectory,
            [.. executor.Environment, .. jobEnvironment],
            plans);
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
