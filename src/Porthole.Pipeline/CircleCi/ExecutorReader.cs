using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>A job's executor key (<c>docker</c>, <c>machine</c>, ...) as an <see cref="ExecutorSpec"/>.</summary>
internal static class ExecutorReader
{
    /// <summary>The executor, and the environment of the primary docker image (applied before the job's own).</summary>
    public static (ExecutorSpec Executor, IReadOnlyList<EnvironmentVariable> Environment) Read(MapEntry entry, CircleCiContext context)
    {
        var errors = context.Errors;
        switch (entry.Name)
        {
            case "docker":
                return ReadDocker(entry.Value, context);
            case "machine":
                return (ReadMachine(entry.Value, context), []);
            case "macos":
                errors.Refuse(entry.Key, "macos executor", "macos executor is not supported");
                break;
            case "windows":
                errors.Refuse(entry.Key, "windows executor", "windows executor is not supported");
                break;
            default:
                errors.Refuse(entry.Key, "executors", "executors are not supported");
                break;
        }

        return (new ExecutorSpec(ExecutorKind.Shell, null), []);
    }

    private static (ExecutorSpec, IReadOnlyList<EnvironmentVariable>) ReadDocker(Node node, CircleCiContext context)
    {
        var errors = context.Errors;
        var fallback = (new ExecutorSpec(ExecutorKind.Docker, null), (IReadOnlyList<EnvironmentVariable>)[]);
        var images = Expect.List(node, "docker", errors);
        if (images is null)
        {
            return fallback;
        }

        if (images.Items.Count == 0)
        {
            errors.Add(node, "docker needs at least one image");
            return fallback;
        }

        foreach (var extra in images.Items.Skip(1))
        {
            // Service containers would need a network shared with the primary; every job runs on one shell executor for now.
            errors.Refuse(extra, "docker service containers", "docker service containers are not supported");
        }

        var primary = Expect.Map(images.Items[0], "a docker image", errors);
        if (primary is null)
        {
            return fallback;
        }

        string? image = null;
        IReadOnlyList<EnvironmentVariable> environment = [];
        foreach (var key in primary.Entries)
        {
            switch (key.Name)
            {
                case "image":
                    image = context.Text(key.Value, "image");
                    break;
                case "environment":
                    environment = EnvironmentReader.Read(key.Value, context);
                    break;
                default:
                    // auth, name, entrypoint, command, user, aws_auth: each changes how the container is pulled or run.
                    errors.Refuse(key.Key, $"docker {key.Name}", $"docker {key.Name} is not supported");
                    break;
            }
        }

        if (image is null && !primary.Has("image"))
        {
            errors.Add(primary, "a docker image needs an image: key");
        }

        return (new ExecutorSpec(ExecutorKind.Docker, image), environment);
    }

    private static ExecutorSpec ReadMachine(Node node, CircleCiContext context)
    {
        var errors = context.Errors;
        var spec = new ExecutorSpec(ExecutorKind.Machine, null);
        if (node is ScalarNode { IsPlain: true })
        {
            if (Expect.Bool(node, "machine", errors) == false)
            {
                errors.Add(node, "machine: false leaves the job without an executor; remove the key instead");
            }

            return spec;
        }

        var map = Expect.Map(node, "machine", errors);
        if (map is null)
        {
            return spec;
        }

        foreach (var key in map.Entries)
        {
            switch (key.Name)
            {
                case "image":
                    spec = spec with { Image = context.Text(key.Value, "image") };
                    break;
                case "enabled":
                    // The 2.0 spelling of machine: true.
                    if (Expect.Bool(key.Value, "enabled", errors) == false)
                    {
                        errors.Add(key.Value, "machine enabled: false leaves the job without an executor");
                    }

                    break;
                case "docker_layer_caching":
                    errors.Refuse(key.Key, "docker layer caching", "docker layer caching is not supported");
                    break;
                default:
                    errors.Refuse(key.Key, $"machine {key.Name}", $"machine {key.Name} is not supported");
                    break;
            }
        }

        return spec;
    }
}
