using Porthole.Contracts.Plans;
using Porthole.Pipeline.Travis.Deploy;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// A job's <c>deploy:</c>, <c>before_deploy:</c> and <c>after_deploy:</c> (dialects.md §B0, §B12): one step per provider,
/// right after after_success, run only when the job has not failed (so only when the script phase passed, as Travis
/// deploys only from after_success). Its conditions are decided at run time (<see cref="DeployScriptWriter"/>).
/// <c>provider: script</c> deploys, and its failure fails the job; any other provider is planned, and its step says
/// that it was not run and never changes the job's result.
/// </summary>
internal static class TravisDeploy
{
    /// <summary>The Phase of the deploy steps.</summary>
    public const string Phase = "deploy";

    /// <summary>Reports what is wrong with a deploy key's value where it is written (root or include entry).</summary>
    public static void Check(MapEntry entry, ErrorList errors)
    {
        if (entry.Name == "deploy")
        {
            DeployReader.Read(entry.Value, errors);
        }
        else
        {
            PhaseCommands.Read(entry.Value, entry.Name, errors);
        }
    }

    /// <summary>
    /// The steps that deploy, run after after_success, one per provider: <c>deploy (script)</c>, or <c>deploy 1 (script)</c>,
    /// <c>deploy 2 (releases)</c>, … for a list; none when the job has no <c>deploy:</c>.
    /// </summary>
    public static IReadOnlyList<StepPlan> Read(MapNode config, IReadOnlyList<EnvWord> environment)
    {
        if (config.Get("deploy") is not { } node)
        {
            return [];
        }

        // The errors were reported by Check where the keys are written.
        var ignored = new ErrorList(".travis.yml");
        var providers = DeployReader.Read(node, ignored);
        var beforeDeploy = config.Get("before_deploy") is { } before ? PhaseCommands.Read(before, "before_deploy", ignored) ?? [] : [];
        var afterDeploy = config.Get("after_deploy") is { } after ? PhaseCommands.Read(after, "after_deploy", ignored) ?? [] : [];
        return
        [
            .. providers.Select((provider, index) => new StepPlan(
                StepKind.Run,
                Name(provider, providers.Count == 1 ? null : index + 1),
                DeployScriptWriter.Write(provider, beforeDeploy, afterDeploy, environment),
                TravisReader.Shell,
                Environment: [],
                WorkingDirectory: null,
                Background: false,
                StepCondition.OnSuccess,
                NoOutputTimeout: null,
                AffectsResult: provider.Runs,
                Phase)),
        ];
    }

    private static string Name(DeployProvider provider, int? number) =>
        $"deploy{(number is null ? "" : $" {number}")} ({provider.Key}{(provider.Runs ? "" : ", not run")})";
}
