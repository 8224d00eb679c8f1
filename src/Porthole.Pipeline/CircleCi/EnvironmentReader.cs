using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// An <c>environment:</c> value: a map of names to values, or a list of <c>NAME=value</c> strings
/// (PostgREST and drush write it that way). CircleCI takes the values literally: no quotes are removed
/// and no <c>$VAR</c> is expanded.
/// </summary>
internal static class EnvironmentReader
{
    public static IReadOnlyList<EnvironmentVariable> Read(Node node, CircleCiContext context)
    {
        var variables = new List<EnvironmentVariable>();
        switch (node)
        {
            case MapNode map:
                foreach (var entry in map.Entries)
                {
                    var value = entry.Value is ScalarNode { IsNull: true } ? "" : context.Text(entry.Value, $"the value of {entry.Name}");
                    Add(variables, entry.Key, entry.Name, value, context);
                }

                break;
            case ListNode list:
                foreach (var item in list.Items)
                {
                    var text = context.Text(item, "an environment entry");
                    if (text is null)
                    {
                        continue;
                    }

                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        context.Errors.Add(item, $"the environment entry '{text}' is not NAME=value");
                        continue;
                    }

                    Add(variables, item, text[..equals], text[(equals + 1)..], context);
                }

                break;
            case ScalarNode { IsNull: true }:
                break;
            default:
                context.Errors.Add(node, $"environment must be a map of names to values, found {node.Describe()}");
                break;
        }

        return variables;
    }

    private static void Add(List<EnvironmentVariable> variables, Node at, string name, string? value, CircleCiContext context)
    {
        if (!EnvironmentNames.IsValid(name))
        {
            context.Errors.Add(at, $"'{name}' is not a valid environment variable name");
            return;
        }

        if (value is not null)
        {
            variables.Add(new EnvironmentVariable(name, value));
        }
    }
}
