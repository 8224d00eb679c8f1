using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// A <c>setup_remote_docker</c> step (§A5): a Docker engine for the primary container of a docker job. CR: it "is
/// not compatible with the machine executor", which has Docker already.
/// </summary>
internal static class SetupRemoteDockerReader
{
    /// <param name="executor">The job's executor kind; null when it is not known (a refused <c>executor:</c>).</param>
    public static StepPlan Read(Node step, Node? arguments, string jobShell, ExecutorKind? executor, CircleCiContext context)
    {
        var errors = context.Errors;
        if (arguments is not null && Expect.Map(arguments, "setup_remote_docker", errors) is { } map)
        {
            foreach (var key in map.Entries)
            {
                switch (key.Name)
                {
                    case "version":
                        // The Docker version of CircleCI's engine; here the engine is whatever the runner has.
                        _ = context.Text(key.Value, "version");
                        break;
                    case "docker_layer_caching":
                        if (Expect.Bool(key.Value, "docker_layer_caching", errors) == true)
                        {
                            errors.Refuse(key.Key, "docker layer caching", "docker layer caching is not supported");
                        }

                        break;
                    case "prefer_same_region":
                        // Where CircleCI places the engine in its cloud; there is one place here.
                        _ = Expect.Bool(key.Value, "prefer_same_region", errors);
                        break;
                    default:
                        errors.Add(key.Key, $"unknown setup_remote_docker key '{key.Name}'; it takes version, docker_layer_caching and prefer_same_region");
                        break;
                }
            }
        }

        if (WrongExecutor(executor) is { } reason)
        {
            errors.Add(step, $"setup_remote_docker is for the docker executor; {reason}");
        }

        return new StepPlan(
            StepKind.SetupRemoteDocker,
            CircleCiDefaults.SetupRemoteDockerName,
            Command: null,
            jobShell,
            Environment: [],
            WorkingDirectory: null,
            Background: false,
            StepCondition.OnSuccess,
            NoOutputTimeout: null);
    }

    private static string? WrongExecutor(ExecutorKind? executor) => executor switch
    {
        null or ExecutorKind.Docker => null,
        ExecutorKind.Machine or ExecutorKind.Windows => "a machine job has Docker already, so remove the step",
        ExecutorKind.MacOs => "a macos job has no Docker engine to set up, so remove the step",
        _ => "give the job a docker: image to run in, or remove the step",
    };
}
