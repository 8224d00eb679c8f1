using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// A job's executor key (<c>docker</c>, <c>machine</c>, <c>macos</c>, <c>windows</c>) as an <see cref="ExecutorSpec"/>.
/// macOS and Windows are planned, not refused: the config is valid, and it is the runner that has no such machine.
/// </summary>
internal static class ExecutorReader
{
    public static JobExecutor Read(MapEntry entry, CircleCiContext context)
    {
        switch (entry.Name)
        {
            case "docker":
                return DockerReader.Read(entry.Value, context);
            case "machine":
                return ReadMachine(entry.Value, context);
            case "macos":
                return ReadMacOs(entry.Value, context);
            case "windows":
                return ReadWindows(entry.Value, context);
            default:
                // In a version 2 file, a 2.1 key; in compiled 2.1, an executor the compiler could not resolve and reported.
                if (!context.IsCompiled)
                {
                    context.Needs21(entry.Key, "executors");
                }

                return JobExecutor.Of(new ExecutorSpec(ExecutorKind.Shell, null));
        }
    }

    private static JobExecutor ReadMachine(Node node, CircleCiContext context)
    {
        var errors = context.Errors;
        var spec = new ExecutorSpec(ExecutorKind.Machine, null);
        if (node is ScalarNode { IsPlain: true })
        {
            if (Expect.Bool(node, "machine", errors) == false)
            {
                errors.Add(node, "machine: false leaves the job without an executor; remove the key instead");
            }

            return JobExecutor.Of(spec);
        }

        var map = Expect.Map(node, "machine", errors);
        if (map is null)
        {
            return JobExecutor.Of(spec);
        }

        // Windows is a machine image (the windows orb's executors are machine: maps); its resource_class is
        // read here too, and nothing about its size matters while no runner here has Windows.
        var image = map.Get("image") is { } imageNode ? context.Text(imageNode, "image") : null;
        var windows = image is not null && image.StartsWith("windows-", StringComparison.OrdinalIgnoreCase);
        string? shell = null;
        foreach (var key in map.Entries)
        {
            switch (key.Name)
            {
                case "image":
                    break;
                case "enabled":
                    // The 2.0 spelling of machine: true.
                    if (Expect.Bool(key.Value, "enabled", errors) == false)
                    {
                        errors.Add(key.Value, "machine enabled: false leaves the job without an executor");
                    }

                    break;
                case "shell":
                    shell = context.Text(key.Value, "shell");
                    break;
                case "docker_layer_caching":
                    if (Expect.Bool(key.Value, "docker_layer_caching", errors) == true)
                    {
                        errors.Refuse(key.Key, "docker layer caching", "docker layer caching is not supported");
                    }

                    break;
                case "resource_class" when windows:
                    break;
                default:
                    errors.Refuse(key.Key, $"machine {key.Name}", $"machine {key.Name} is not supported");
                    break;
            }
        }

        spec = windows
            ? new ExecutorSpec(ExecutorKind.Windows, image) { Description = $"windows machine image {image}" }
            : spec with { Image = image };
        return JobExecutor.Of(spec, shell);
    }

    /// <summary><c>macos: {xcode}</c>. Its steps default to CircleCI's macOS shell, a login bash (CR "Default shell options").</summary>
    private static JobExecutor ReadMacOs(Node node, CircleCiContext context)
    {
        var errors = context.Errors;
        var spec = new ExecutorSpec(ExecutorKind.MacOs, null) { Description = "macos" };
        var map = Expect.Map(node, "macos", errors);
        if (map is null)
        {
            return JobExecutor.Of(spec, CircleCiDefaults.MacOsShell);
        }

        var shell = CircleCiDefaults.MacOsShell;
        foreach (var key in map.Entries)
        {
            switch (key.Name)
            {
                case "xcode":
                    spec = spec with { Description = $"macos xcode {context.Text(key.Value, "xcode")}" };
                    break;
                case "shell":
                    shell = context.Text(key.Value, "shell") ?? shell;
                    break;
                case "resource_class":
                    // The size of a Mac no runner here has.
                    break;
                default:
                    errors.Add(key.Key, $"unknown macos key '{key.Name}'; macos takes xcode, resource_class and shell");
                    break;
            }
        }

        if (!map.Has("xcode"))
        {
            errors.Add(map, "macos needs an xcode: version, such as xcode: \"15.4.0\"");
        }

        return JobExecutor.Of(spec, shell);
    }

    /// <summary>
    /// <c>windows:</c>, which CR lists among executor types "working with orbs" without describing it; read like a
    /// Windows <c>machine:</c> map (image, shell, resource_class), since that is what the windows orb's executors are.
    /// </summary>
    private static JobExecutor ReadWindows(Node node, CircleCiContext context)
    {
        var errors = context.Errors;
        var spec = new ExecutorSpec(ExecutorKind.Windows, null) { Description = "windows executor" };
        if (node is ScalarNode { IsNull: true } || Expect.Map(node, "windows", errors) is not { } map)
        {
            return JobExecutor.Of(spec);
        }

        string? shell = null;
        foreach (var key in map.Entries)
        {
            switch (key.Name)
            {
                case "image":
                    var image = context.Text(key.Value, "image");
                    spec = spec with { Image = image, Description = $"windows executor image {image}" };
                    break;
                case "shell":
                    shell = context.Text(key.Value, "shell");
                    break;
                case "resource_class":
                    break;
                default:
                    errors.Add(key.Key, $"unknown windows key '{key.Name}'; windows takes image, resource_class and shell");
                    break;
            }
        }

        return JobExecutor.Of(spec, shell);
    }
}
