using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>A job's <c>steps:</c> list. Each step is a string (its type) or a map with one key (its type) and the type's arguments.</summary>
internal static class StepReader
{
    /// <param name="executor">The job's executor kind; null when it is not known (a refused <c>executor:</c>).</param>
    public static IReadOnlyList<StepPlan> ReadAll(ListNode steps, string jobShell, ExecutorKind? executor, CircleCiContext context)
    {
        var plans = new List<StepPlan>();
        foreach (var item in steps.Items)
        {
            var plan = Read(item, jobShell, executor, context);
            if (plan is not null)
            {
                plans.Add(plan);
            }
        }

        return plans;
    }

    private static StepPlan? Read(Node item, string jobShell, ExecutorKind? executor, CircleCiContext context)
    {
        var errors = context.Errors;
        string type;
        Node? arguments;
        switch (item)
        {
            case ScalarNode { IsNull: false } scalar:
                type = scalar.Value;
                arguments = null;
                break;
            case MapNode { Entries.Count: 1 } map:
                type = map.Entries[0].Name;
                arguments = map.Entries[0].Value is ScalarNode { IsNull: true } ? null : map.Entries[0].Value;
                break;
            case MapNode map:
                errors.Add(item, $"a step is a map with one key, its type; this one has {map.Entries.Count}: {string.Join(", ", map.Entries.Select(e => e.Name))}");
                return null;
            default:
                errors.Add(item, $"a step must be a step type or a map with one, found {item.Describe()}");
                return null;
        }

        switch (type)
        {
            case "checkout":
                return ReadCheckout(arguments, jobShell, context);
            case "run":
                return RunStepReader.Read(item, arguments, jobShell, context);
            case "setup_remote_docker":
                return SetupRemoteDockerReader.Read(item, arguments, jobShell, executor, context);
            case "save_cache" or "save-cache":
                return CacheStepReader.ReadSave(item, arguments, type, jobShell, context);
            case "restore_cache" or "restore-cache":
                return CacheStepReader.ReadRestore(item, arguments, type, jobShell, context);
            case "persist_to_workspace":
                return WorkspaceStepReader.ReadPersist(item, arguments, jobShell, context);
            case "attach_workspace":
                return WorkspaceStepReader.ReadAttach(item, arguments, jobShell, context);
            case "store_artifacts":
                return UploadStepReader.ReadArtifacts(item, arguments, jobShell, context);
            case "store_test_results":
                return UploadStepReader.ReadTestResults(item, arguments, jobShell, context);
            case "when" or "unless":
                errors.Refuse(item, "conditional steps", $"conditional steps ({type}) are not supported");
                return null;
        }

        if (RefusedStepTypes.Find(type) is { } refused)
        {
            errors.Refuse(item, refused, $"{refused} steps are not supported");
        }
        else if (RefusedStepTypes.Hyphenated(type) is { } spelled)
        {
            // Only save-cache and restore-cache are known to have been read by CircleCI 2.0 (§14.4).
            errors.Add(item, $"unknown step type '{type}'; the step is spelled '{spelled}'");
        }
        else if (type.Contains('/', StringComparison.Ordinal))
        {
            errors.Refuse(item, "orbs", $"orbs are not supported ('{type}' is an orb command)");
        }
        else if (context.CommandNames.Contains(type))
        {
            errors.Refuse(item, "reusable commands", $"reusable commands are not supported ('{type}' is defined under commands)");
        }
        else
        {
            errors.Add(item, $"unknown step type '{type}'");
        }

        return null;
    }

    private static StepPlan ReadCheckout(Node? arguments, string jobShell, CircleCiContext context)
    {
        string? path = null;
        if (arguments is not null && Expect.Map(arguments, "checkout", context.Errors) is { } map)
        {
            foreach (var entry in map.Entries)
            {
                if (entry.Name == "path")
                {
                    path = context.Text(entry.Value, "path");
                }
                else
                {
                    context.Errors.Refuse(entry.Key, $"checkout {entry.Name}", $"checkout {entry.Name} is not supported");
                }
            }
        }

        return new StepPlan(
            StepKind.Checkout,
            CircleCiDefaults.CheckoutName,
            Command: null,
            jobShell,
            Environment: [],
            path,
            Background: false,
            StepCondition.OnSuccess,
            NoOutputTimeout: null);
    }
}
