using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>A phase's value: one command, a list of commands, or <c>skip</c>.</summary>
internal static class PhaseCommands
{
    /// <summary>The commands; null when the phase is not given; empty for <c>skip</c>.</summary>
    public static IReadOnlyList<string>? Read(Node? node, string phase, ErrorList errors)
    {
        switch (node)
        {
            case null or ScalarNode { IsNull: true }:
                return null;
            case ScalarNode { Value: "skip" }:
                return [];
            case ScalarNode scalar:
                return Command(scalar, phase, errors) is { } single ? [single] : [];
            case ListNode list:
                var commands = new List<string>();
                foreach (var item in list.Items)
                {
                    if (item is ScalarNode { IsNull: false } text)
                    {
                        if (Command(text, phase, errors) is { } command)
                        {
                            commands.Add(command);
                        }
                    }
                    else if (item is MapNode)
                    {
                        errors.Add(item, $"a {phase} command must be a string, found a map (YAML reads an unquoted command with ': ' in it as a map; quote the command)");
                    }
                    else
                    {
                        errors.Add(item, $"a {phase} command must be a string, found {item.Describe()}");
                    }
                }

                return commands;
            default:
                errors.Add(node, $"{phase} must be a command or a list of commands, found {node.Describe()}");
                return [];
        }
    }

    private static string? Command(ScalarNode node, string phase, ErrorList errors)
    {
        if (node.Value.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(node, $"a {phase} command cannot hold a NUL character");
            return null;
        }

        return node.Value;
    }
}
