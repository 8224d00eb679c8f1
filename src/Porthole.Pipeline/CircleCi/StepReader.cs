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
            case "deploy":
                // CR20: the legacy deploy step reads as run does, and runs on node 0 after every node succeeded.
                if (arguments is ScalarNode { IsNull: false })
                {
                    errors.Add(arguments, "deploy has no shorthand form; write deploy: with command: (or better, a run step)");
                    return null;
                }

                return RunStepReader.Read(item, arguments, jobShell, context) is { } deploy ? deploy with { IsDeploy = true } : null;
            case "add_ssh_keys":
                return ReadAddSshKeys(arguments, jobShell, context);
            case "when" or "unless" or "steps" when !context.IsCompiled:
                context.Needs21(item, $"conditional steps ({type})");
                return null;
        }

        if (BuiltInStepTypes.Hyphenated(type) is { } spelled)
        {
            // Only save-cache and restore-cache are known to have been read by CircleCI 2.0 (§14.4).
            errors.Add(item, $"unknown step type '{type}'; the step is spelled '{spelled}'");
        }
        else if (!context.IsCompiled && type.Contains('/', StringComparison.Ordinal))
        {
            context.Needs21(item, $"orb commands ('{type}')");
        }
        else
        {
            errors.Add(item, $"unknown step type '{type}'");
        }

        return null;
    }

    /// <summary>
    /// <c>add_ssh_keys</c> (§A5): the project's additional keys, all of them or those whose fingerprints are listed
    /// (MD5 <c>aa:bb:…</c>, or <c>SHA256:…</c>).
    /// </summary>
    private static StepPlan? ReadAddSshKeys(Node? arguments, string jobShell, CircleCiContext context)
    {
        var errors = context.Errors;
        var fingerprints = new List<string>();
        if (arguments is not null && Expect.Map(arguments, "add_ssh_keys", errors) is { } map)
        {
            foreach (var entry in map.Entries)
            {
                if (entry.Name != "fingerprints")
                {
                    errors.Add(entry.Key, $"unknown add_ssh_keys key '{entry.Name}'; it takes fingerprints");
                    continue;
                }

                if (Expect.List(entry.Value, "fingerprints", errors) is not { } list)
                {
                    continue;
                }

                foreach (var item in list.Items)
                {
                    if (context.Text(item, "a fingerprint") is not { } text)
                    {
                        continue;
                    }

                    if (!SshFingerprints.IsValid(text))
                    {
                        errors.Add(item, $"'{text}' is not an SSH key fingerprint; write MD5 as aa:bb:…:ff (16 pairs) or SHA256:base64");
                        continue;
                    }

                    fingerprints.Add(text);
                }
            }
        }

        return new StepPlan(
            StepKind.AddSshKeys,
            "Install additional SSH keys",
            Command: null,
            jobShell,
            Environment: [],
            WorkingDirectory: null,
            Background: false,
            StepCondition.OnSuccess,
            NoOutputTimeout: null)
        {
            AddSshKeys = new AddSshKeysPlan(fingerprints),
        };
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
