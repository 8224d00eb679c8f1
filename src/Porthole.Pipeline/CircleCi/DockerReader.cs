using System.Text.RegularExpressions;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// A <c>docker:</c> list (CR <c>docker</c>, §A1.4): the first image is the primary container, where the steps run;
/// the others are service containers. Jobs read it here, and so will executors declared under <c>executors:</c>.
/// </summary>
internal static partial class DockerReader
{
    private const string ImageKeys = "image, name, entrypoint, command, user, environment, auth and aws_auth";

    /// <summary>The docker executor, and the primary image's environment (applied before the job's own).</summary>
    /// <summary>docker-compose keys CircleCI has always ignored in a docker image (no effect there, none here).</summary>
    private static readonly HashSet<string> ComposeKeys = new(StringComparer.Ordinal)
    {
        "ports", "container_name", "hostname", "ulimits", "sysctls", "expose", "links", "depends_on", "restart", "networks",
    };

    public static JobExecutor Read(Node node, CircleCiContext context)
    {
        var errors = context.Errors;
        var fallback = JobExecutor.Of(new ExecutorSpec(ExecutorKind.Docker, null));
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

        var containers = new List<ContainerSpec>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in images.Items)
        {
            if (ReadImage(item, context) is not { } container)
            {
                continue;
            }

            if (container.Name is { } name && !names.Add(name))
            {
                errors.Add(item, $"two docker images are named '{name}'; each name is a host name and must be unique");
            }

            containers.Add(container);
        }

        // An image with errors is left out, so only a list read whole names its primary.
        if (containers.Count != images.Items.Count)
        {
            return fallback;
        }

        var primary = containers[0];
        return new JobExecutor(new ExecutorSpec(ExecutorKind.Docker, primary.Image) { Containers = containers }, primary.Environment, null);
    }

    private static ContainerSpec? ReadImage(Node item, CircleCiContext context)
    {
        var errors = context.Errors;
        var map = Expect.Map(item, "a docker image", errors);
        if (map is null)
        {
            return null;
        }

        var before = errors.Count;
        var container = new ContainerSpec("");
        foreach (var key in map.Entries)
        {
            var value = key.Value;
            switch (key.Name)
            {
                case "image":
                    container = container with { Image = NonEmptyText(value, "image", context) ?? "" };
                    break;
                case "name":
                    container = container with { Name = ReadName(value, context) };
                    break;
                case "entrypoint":
                    container = container with { Entrypoint = ReadWords(value, "entrypoint", context) };
                    break;
                case "command":
                    container = container with { Command = ReadWords(value, "command", context) };
                    break;
                case "user":
                    container = container with { User = NonEmptyText(value, "user", context) };
                    break;
                case "environment":
                    container = container with { Environment = EnvironmentReader.Read(value, context) };
                    break;
                case "auth":
                    container = container with { Auth = ReadAuth(value, context) };
                    break;
                case "aws_auth":
                    // ECR logins need AWS credentials exchanged for a short-lived token; Porthole does not do that exchange.
                    errors.Refuse(key.Key, "docker aws_auth", "docker aws_auth is not supported");
                    break;
                case var compose when ComposeKeys.Contains(compose):
                    // Real 2.0 configs carry docker-compose keys (kafka-go's ports, typeorm's ulimits); CircleCI ran them
                    // and ignored the keys, and every container already reaches the others on localhost.
                    errors.Warn(key.Key, $"docker image key '{key.Name}' is accepted and ignored, as CircleCI ignores it; containers reach each other on localhost");
                    break;
                default:
                    errors.Add(key.Key, $"unknown docker image key '{key.Name}'; an image takes {ImageKeys}");
                    break;
            }
        }

        if (!map.Has("image"))
        {
            errors.Add(map, "a docker image needs an image: key");
        }

        return errors.Count == before ? container : null;
    }

    private static string? NonEmptyText(Node node, string what, CircleCiContext context)
    {
        var text = context.Text(node, what);
        if (text is not null && text.Trim().Length == 0)
        {
            context.Errors.Add(node, $"{what} is empty");
            return null;
        }

        return text;
    }

    /// <summary>
    /// A name is the host name the other containers reach this one by, so it has to be one: dot-separated labels
    /// of letters, digits, '-' and '_' (Docker's network aliases accept '_'), no label starting or ending with '-'.
    /// </summary>
    private static string? ReadName(Node node, CircleCiContext context)
    {
        var name = context.Text(node, "name");
        if (name is null)
        {
            return null;
        }

        if (name.Length > 253 || !HostName().IsMatch(name))
        {
            context.Errors.Add(node, $"'{name}' is not a host name; a docker image's name is how the other containers reach it, so use letters, digits, '-', '_' and '.' (for example db or db.local)");
            return null;
        }

        return name;
    }

    /// <summary>A list of words, or a string split into words (see <see cref="CommandWords"/>).</summary>
    private static IReadOnlyList<string>? ReadWords(Node node, string what, CircleCiContext context)
    {
        switch (node)
        {
            case ListNode list:
                var words = new List<string>();
                foreach (var item in list.Items)
                {
                    if (context.Text(item, $"each word of {what}") is { } word)
                    {
                        words.Add(word);
                    }
                }

                return words;
            case ScalarNode { IsNull: false } scalar:
                var text = context.Text(scalar, what);
                if (text is null)
                {
                    return null;
                }

                var split = CommandWords.Split(text, out var error);
                if (split is null)
                {
                    context.Errors.Add(node, $"{what} cannot be split into words: {error}");
                }

                return split;
            default:
                context.Errors.Add(node, $"{what} must be a string or a list of strings, found {node.Describe()}");
                return null;
        }
    }

    /// <summary>
    /// <c>auth: {username, password}</c>. Either may be a <c>$VAR</c> of the project's variables; it is kept as
    /// written and resolved on the runner, so a secret never has to be in the config.
    /// </summary>
    private static RegistryAuth? ReadAuth(Node node, CircleCiContext context)
    {
        var errors = context.Errors;
        var map = Expect.Map(node, "auth", errors);
        if (map is null)
        {
            return null;
        }

        string? username = null;
        string? password = null;
        foreach (var key in map.Entries)
        {
            switch (key.Name)
            {
                case "username":
                    username = NonEmptyText(key.Value, "username", context);
                    break;
                case "password":
                    password = NonEmptyText(key.Value, "password", context);
                    break;
                default:
                    errors.Add(key.Key, $"unknown auth key '{key.Name}'; auth takes username and password");
                    break;
            }
        }

        foreach (var required in new[] { "username", "password" })
        {
            if (!map.Has(required))
            {
                errors.Add(map, $"auth needs a {required}: key (a $VARIABLE set in the project keeps it out of the config)");
            }
        }

        return username is null || password is null ? null : new RegistryAuth(username, password);
    }

    [GeneratedRegex(@"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9_-]{1,63}(?<!-))*$")]
    private static partial Regex HostName();
}
