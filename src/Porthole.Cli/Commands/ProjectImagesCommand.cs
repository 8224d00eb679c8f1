using System.CommandLine;
using Porthole.Cli.Client;
using Porthole.Cli.Output;
using Porthole.Contracts.Api;

namespace Porthole.Cli.Commands;

/// <summary>
/// <c>porthole project images</c>: shows a project's image table (which image serves a Travis language version or
/// service in its jobs, before the runner's own table), or changes entries with <c>--set KEY=IMAGE</c> and
/// <c>--unset KEY</c>: it reads the table, changes it and puts it back whole. Changing it needs admin access.
/// </summary>
internal static class ProjectImagesCommand
{
    public static Command Create(CliContext context)
    {
        var project = CommonOptions.Project();
        var set = new Option<string[]>("--set")
        {
            Description = "Map a Travis language version or service to an image: \"python 3.8=registry.example/python:3.8\", \"redis=redis:7\" (repeatable)",
            HelpName = "key=image",
            AllowMultipleArgumentsPerToken = false,
        };
        var unset = new Option<string[]>("--unset")
        {
            Description = "Remove an entry: \"python 3.8\", \"redis\" (repeatable)",
            HelpName = "key",
            AllowMultipleArgumentsPerToken = false,
        };
        var json = CommonOptions.Json();
        var command = new Command("images", "Show a project's image table for Travis language versions and services, or change it with --set and --unset")
        {
            project, set, unset, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var name = parseResult.GetRequiredValue(project);
            var sets = (parseResult.GetValue(set) ?? []).Select(ParseSet).ToList();
            var unsets = (parseResult.GetValue(unset) ?? []).Select(ParseKey).ToList();
            if (sets.Select(s => s.Key).Intersect(unsets, StringComparer.OrdinalIgnoreCase).FirstOrDefault() is { } both)
            {
                throw CliException.Usage($"'{both}' is both in --set and in --unset: give one");
            }

            using var client = PortholeClient.FromLogin(context);
            var path = PortholeClient.Path("projects", name, "images");
            var answer = await client.GetAsync(path, cancellationToken);
            if (sets.Count > 0 || unsets.Count > 0)
            {
                var images = Change(client.Read<ProjectImagesView>(answer).Images, sets, unsets, name);
                answer = await client.SendAsync(HttpMethod.Put, path, new ProjectImagesRequest(images), cancellationToken);
            }

            if (parseResult.GetValue(json))
            {
                await CommonOptions.WriteJsonAsync(context, answer, cancellationToken);
                return ExitCodes.Success;
            }

            var table = client.Read<ProjectImagesView>(answer).Images;
            if (table.Count == 0)
            {
                await context.Output.WriteLineAsync(
                    $"project {name} has no image table entries: the runner's table and the official images serve its Travis jobs; add one with {context.CommandName} project images {name} --set \"python 3.8=IMAGE\"");
                return ExitCodes.Success;
            }

            var rows = new Table("KEY", "IMAGE");
            foreach (var (key, image) in table)
            {
                rows.Add(key, image);
            }

            rows.WriteTo(context.Output);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The table with <paramref name="unsets"/> removed and <paramref name="sets"/> put in (keys compared ignoring case, as the server does).</summary>
    private static Dictionary<string, string?> Change(
        IReadOnlyDictionary<string, string> current, List<KeyValuePair<string, string>> sets, List<string> unsets, string project)
    {
        var images = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, image) in current)
        {
            images[key] = image;
        }

        foreach (var key in unsets)
        {
            if (!images.Remove(key))
            {
                throw new CliException($"project {project}'s image table has no entry '{key}': nothing was changed");
            }
        }

        foreach (var (key, image) in sets)
        {
            images.Remove(key);
            images[key] = image;
        }

        return images;
    }

    private static KeyValuePair<string, string> ParseSet(string text)
    {
        var split = text.IndexOf('=', StringComparison.Ordinal);
        if (split < 0)
        {
            throw CliException.Usage($"--set '{OneLine.Of(text)}' has no '=': write KEY=IMAGE, e.g. --set \"python 3.8=registry.example/python:3.8\"");
        }

        var key = ParseKey(text[..split]);
        var image = text[(split + 1)..].Trim();
        return ProjectImageRules.Problem(key, image) is { } problem
            ? throw CliException.Usage(OneLine.Of(problem))
            : new KeyValuePair<string, string>(key, image);
    }

    private static string ParseKey(string text)
    {
        var key = text.Trim();
        return ProjectImageRules.IsKey(key) ? key : throw CliException.Usage(OneLine.Of(ProjectImageRules.Problem(key, "x")));
    }
}
