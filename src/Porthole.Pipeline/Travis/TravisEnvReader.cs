using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis;

/// <summary>
/// Travis's <c>env:</c>: a string or a list (each entry one job of the build matrix), or a map of
/// <c>global:</c> (variables of every job) and <c>jobs:</c>/<c>matrix:</c> (one job each). An entry may be a
/// <c>{secure: "…"}</c> value (§B12, <see cref="TravisSecureValue"/>), carried apart from the variables.
/// </summary>
internal static partial class TravisEnvReader
{
    public static (IReadOnlyList<EnvWord> Global, IReadOnlyList<EnvEntry> Matrix) ReadRoot(Node? env, ErrorList errors)
    {
        switch (env)
        {
            case null or ScalarNode { IsNull: true }:
                return ([], []);
            case ScalarNode:
                return ([], ReadEntry(env, errors) is { } entry ? [entry] : []);
            case ListNode list:
                return ([], [.. list.Items.Select(item => ReadEntry(item, errors)).OfType<EnvEntry>()]);
            case MapNode map:
                return ReadMap(map, errors);
            default:
                return ([], []);
        }
    }

    /// <summary>The env of a jobs.include entry: all its variables belong to that one job.</summary>
    public static EnvEntry? ReadJob(Node? env, ErrorList errors)
    {
        switch (env)
        {
            case null or ScalarNode { IsNull: true }:
                return null;
            case ScalarNode:
                return ReadEntry(env, errors);
            case ListNode list:
                return Combine(list.Items.Select(item => ReadEntry(item, errors)).OfType<EnvEntry>());
            default:
                errors.Add(env, $"the env of a jobs.include entry must be a string or a list, found {env.Describe()}");
                return null;
        }
    }

    private static (IReadOnlyList<EnvWord>, IReadOnlyList<EnvEntry>) ReadMap(MapNode map, ErrorList errors)
    {
        IReadOnlyList<EnvWord> global = [];
        IReadOnlyList<EnvEntry> matrix = [];
        string? matrixKey = null;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "global":
                    var entries = entry.Value is MapNode
                        ? Unexpected(entry.Value, "env.global", errors)
                        : ReadRoot(entry.Value, errors).Matrix;
                    global = [.. entries.SelectMany(e => e.Words)];
                    break;
                case "jobs" or "matrix":
                    if (matrixKey is not null)
                    {
                        errors.Add(entry.Key, $"env.{matrixKey} and env.{entry.Name} are two names for one key; keep one");
                        break;
                    }

                    matrixKey = entry.Name;
                    matrix = entry.Value is MapNode
                        ? Unexpected(entry.Value, $"env.{entry.Name}", errors)
                        : ReadRoot(entry.Value, errors).Matrix;
                    break;
                default:
                    errors.Add(entry.Key, $"unknown env key '{entry.Name}'; env takes global: and jobs:");
                    break;
            }
        }

        return (global, matrix);
    }

    private static IReadOnlyList<EnvEntry> Unexpected(Node node, string what, ErrorList errors)
    {
        errors.Add(node, $"{what} must be a string or a list, found {node.Describe()}");
        return [];
    }

    private static EnvEntry? ReadEntry(Node item, ErrorList errors)
    {
        if (item is MapNode map && TravisSecureValue.IsSecure(map))
        {
            // §B12: decrypted by the server when the job runs; the entry exports nothing the plan can show.
            return TravisSecureValue.Read(map, errors) is { } secure ? new EnvEntry([], "[secure]", item) { Secure = [secure] } : null;
        }

        if (item is MapNode variables)
        {
            return ReadVariables(variables, errors);
        }

        if (item is not ScalarNode { IsNull: false } scalar)
        {
            errors.Add(item, $"an env entry must be a string such as NAME=value, or a map of variables, found {item.Describe()}");
            return null;
        }

        var words = EnvLineSplitter.Split(scalar.Value, out var problem);
        if (words is null)
        {
            errors.Add(item, $"env entry '{scalar.Value}': {problem}");
            return null;
        }

        return new EnvEntry(words, scalar.Value.Trim(), item);
    }

    /// <summary>
    /// A map of variables (<c>{DB: postgres, SUITE: all}</c>, travis-yml's <c>env</c> schema): each value is taken as
    /// written, exported single-quoted (no expansion).
    /// </summary>
    private static EnvEntry? ReadVariables(MapNode map, ErrorList errors)
    {
        var words = new List<EnvWord>();
        foreach (var entry in map.Entries)
        {
            if (entry.Name is "global" or "jobs" or "matrix")
            {
                errors.Add(entry.Key, $"env.{entry.Name} is a section of the root's env, not a variable: a job's env is NAME=value entries or a map of variables");
                return null;
            }

            if (!VariableName().IsMatch(entry.Name))
            {
                errors.Add(entry.Key, $"'{entry.Name}' is not a variable name (letters, digits and _, not starting with a digit)");
                return null;
            }

            if (TravisSecureValue.IsSecure(entry.Value))
            {
                errors.Add(entry.Value, $"{entry.Name}: {{secure: …}} is not how Travis takes a secure variable: write an env entry '- secure: \"…\"' whose text, before 'porthole encrypt' encrypted it, is {entry.Name}=value");
                return null;
            }

            if (entry.Value is not ScalarNode value)
            {
                errors.Add(entry.Value, $"the value of {entry.Name} must be a string, found {entry.Value.Describe()}");
                return null;
            }

            var text = value.IsNull ? "" : value.Value;
            words.Add(new EnvWord(entry.Name, text, $"{entry.Name}={ShellQuote.Single(text)}"));
        }

        return new EnvEntry(words, string.Join(" ", words.Select(word => word.Raw)), map);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex VariableName();

    private static EnvEntry Combine(IEnumerable<EnvEntry> entries)
    {
        var all = entries.ToList();
        return new EnvEntry([.. all.SelectMany(entry => entry.Words)], string.Join(" ", all.Select(entry => entry.Display)))
        {
            Secure = [.. all.SelectMany(entry => entry.Secure)],
        };
    }
}
