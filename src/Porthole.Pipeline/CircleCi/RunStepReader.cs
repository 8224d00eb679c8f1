using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>A <c>run</c> step: a command string, or a map with the command and its options.</summary>
internal static class RunStepReader
{
    public static StepPlan? Read(Node step, Node? arguments, string jobShell, CircleCiContext context)
    {
        var errors = context.Errors;
        switch (arguments)
        {
            case null:
                errors.Add(step, "run needs a command");
                return null;
            case ScalarNode:
                var command = ReadCommand(arguments, context);
                return command is null ? null : Plan(FirstLine(command), command, jobShell);
            case MapNode map:
                return ReadMap(step, map, jobShell, context);
            default:
                errors.Add(arguments, $"run must be a command or a map with a command, found {arguments.Describe()}");
                return null;
        }
    }

    private static StepPlan? ReadMap(Node step, MapNode map, string jobShell, CircleCiContext context)
    {
        var errors = context.Errors;
        var plan = Plan("", "", jobShell);
        string? name = null;
        string? command = null;
        foreach (var entry in map.Entries)
        {
            var value = entry.Value;
            switch (entry.Name)
            {
                case "command":
                    command = ReadCommand(value, context);
                    break;
                case "name":
                    name = context.Text(value, "name");
                    break;
                case "shell":
                    plan = plan with { Shell = context.Text(value, "shell") ?? jobShell };
                    break;
                case "environment":
                    plan = plan with { Environment = EnvironmentReader.Read(value, context) };
                    break;
                case "working_directory":
                    plan = plan with { WorkingDirectory = context.Text(value, "working_directory") };
                    break;
                case "background":
                    plan = plan with { Background = Expect.Bool(value, "background", errors) ?? false };
                    break;
                case "when":
                    plan = plan with { When = ReadWhen(value, context) };
                    break;
                case "no_output_timeout":
                    plan = plan with { NoOutputTimeout = ReadTimeout(value, context) };
                    break;
                default:
                    errors.Refuse(entry.Key, $"run {entry.Name}", $"run {entry.Name} is not supported");
                    break;
            }
        }

        if (command is null)
        {
            if (!map.Has("command"))
            {
                errors.Add(step, "run needs a command: key");
            }

            return null;
        }

        return plan with { Name = name ?? FirstLine(command), Command = command };
    }

    private static string? ReadCommand(Node node, CircleCiContext context)
    {
        if (node is not ScalarNode)
        {
            context.Errors.Add(node, $"a command must be a string, found {node.Describe()}");
            return null;
        }

        var command = context.Text(node, "the command");
        if (command is not null && string.IsNullOrWhiteSpace(command))
        {
            context.Errors.Add(node, "the command is empty");
            return null;
        }

        if (command is not null && command.Contains('\0', StringComparison.Ordinal))
        {
            context.Errors.Add(node, "a command cannot hold a NUL character");
            return null;
        }

        return command;
    }

    /// <summary>A step's <c>when</c>: always, on_success or on_fail (§A5).</summary>
    public static StepCondition ReadWhen(Node node, CircleCiContext context)
    {
        switch (context.Text(node, "when"))
        {
            case "always":
                return StepCondition.Always;
            case "on_fail":
                return StepCondition.OnFail;
            case "on_success":
                return StepCondition.OnSuccess;
            case { } other:
                context.Errors.Add(node, $"when must be always, on_success or on_fail, found '{other}'");
                break;
        }

        return StepCondition.OnSuccess;
    }

    private static TimeSpan? ReadTimeout(Node node, CircleCiContext context)
    {
        var text = context.Text(node, "no_output_timeout");
        if (text is null)
        {
            return null;
        }

        if (DurationParser.TryParse(text, out var duration))
        {
            return duration;
        }

        context.Errors.Add(node, $"no_output_timeout must be a duration such as 10m, 1h30m or 30s, found '{text}'");
        return null;
    }

    /// <summary>CircleCI names an unnamed run step after its command; the first line keeps the name readable.</summary>
    private static string FirstLine(string command) =>
        command.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0) ?? command.Trim();

    private static StepPlan Plan(string name, string command, string shell) => new(
        StepKind.Run,
        name,
        command,
        shell,
        Environment: [],
        WorkingDirectory: null,
        Background: false,
        StepCondition.OnSuccess,
        NoOutputTimeout: null);
}
