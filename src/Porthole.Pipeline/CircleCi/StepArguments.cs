using Porthole.Contracts.Plans;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi;

/// <summary>
/// The arguments of one of CircleCI's built-in job-data steps (§A5): a map of the keys the step takes, an unknown key
/// being an error that names it. A step written without arguments (<c>- save_cache</c>) has none, so its required
/// keys are reported missing.
/// </summary>
internal sealed class StepArguments
{
    private readonly MapNode? _map;

    private StepArguments(Node step, string type, MapNode? map, CircleCiContext context)
    {
        Step = step;
        Type = type;
        _map = map;
        Context = context;
    }

    /// <summary>The step's node: where an error about the step as a whole (a missing key) points.</summary>
    public Node Step { get; }

    /// <summary>The step type as the config spells it, for messages.</summary>
    public string Type { get; }

    public CircleCiContext Context { get; }

    /// <summary>The arguments, or null (with an error) when they are not a map.</summary>
    /// <param name="keys">The keys the step takes, in the order a message lists them.</param>
    public static StepArguments? Read(Node step, Node? arguments, string type, IReadOnlyList<string> keys, CircleCiContext context)
    {
        if (arguments is null)
        {
            return new StepArguments(step, type, null, context);
        }

        if (arguments is not MapNode map)
        {
            context.Errors.Add(arguments, $"{type} must be a map of {List(keys)}, found {arguments.Describe()}");
            return null;
        }

        foreach (var entry in map.Entries.Where(entry => !keys.Contains(entry.Name)))
        {
            context.Errors.Add(entry.Key, $"unknown {type} key '{entry.Name}'; it takes {List(keys)}");
        }

        return new StepArguments(step, type, map, context);
    }

    /// <summary>The value of <paramref name="key"/>; null when it is absent or written empty.</summary>
    public Node? Get(string key) => _map?.Get(key) is { } value and not ScalarNode { IsNull: true } ? value : null;

    /// <summary>The string value of <paramref name="key"/>; null (with an error when it is there but no string) otherwise.</summary>
    public string? Text(string key)
    {
        if (Get(key) is not { } value)
        {
            return null;
        }

        var text = Context.Text(value, key);
        if (text is null)
        {
            return null;
        }

        if (text.Trim().Length == 0)
        {
            Context.Errors.Add(value, $"{key} is empty");
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            Context.Errors.Add(value, $"{key} cannot hold a NUL character");
            return null;
        }

        return text;
    }

    /// <summary>The step's <c>name</c>, or <paramref name="fallback"/>.</summary>
    public string Name(string fallback) => Text("name") ?? fallback;

    /// <summary>An error at the step when none of <paramref name="keys"/> is given (each absent or empty).</summary>
    public bool Require(params string[] keys)
    {
        var missing = keys.Where(key => Get(key) is null).ToList();
        if (missing.Count == 0)
        {
            return true;
        }

        Context.Errors.Add(Step, $"{Type} needs {string.Join(" and ", missing)}");
        return false;
    }

    /// <summary>
    /// A list of strings, each with its node; a single string too when <paramref name="singleAllowed"/>. Null when the
    /// key is absent; an error for an empty list or an item that is not a string.
    /// </summary>
    public IReadOnlyList<(string Text, Node At)>? Strings(string key, bool singleAllowed)
    {
        if (Get(key) is not { } value)
        {
            return null;
        }

        IReadOnlyList<Node> items;
        switch (value)
        {
            case ListNode list:
                items = list.Items;
                break;
            case ScalarNode when singleAllowed:
                items = [value];
                break;
            default:
                Context.Errors.Add(value, $"{key} must be a list{(singleAllowed ? " or a string" : "")}, found {value.Describe()}");
                return null;
        }

        if (items.Count == 0)
        {
            Context.Errors.Add(value, $"{key} is empty");
            return null;
        }

        var strings = new List<(string, Node)>();
        foreach (var item in items)
        {
            var text = item is ScalarNode { IsNull: false } ? Context.Text(item, $"an item of {key}") : null;
            if (text is null)
            {
                if (item is not ScalarNode { IsNull: false })
                {
                    Context.Errors.Add(item, $"an item of {key} must be a string, found {item.Describe()}");
                }
            }
            else if (text.Trim().Length == 0)
            {
                Context.Errors.Add(item, $"an item of {key} is empty");
            }
            else if (text.Contains('\0', StringComparison.Ordinal))
            {
                Context.Errors.Add(item, $"an item of {key} cannot hold a NUL character");
            }
            else
            {
                strings.Add((text, item));
            }
        }

        return strings;
    }

    /// <summary>A job-data step: no command, the job's shell (as checkout has), nothing else of a run step's.</summary>
    public static StepPlan Plan(StepKind kind, string name, string jobShell, StepCondition when) => new(
        kind,
        name,
        Command: null,
        jobShell,
        Environment: [],
        WorkingDirectory: null,
        Background: false,
        when,
        NoOutputTimeout: null);

    private static string List(IReadOnlyList<string> keys) =>
        keys.Count == 1 ? keys[0] : $"{string.Join(", ", keys.Take(keys.Count - 1))} and {keys[^1]}";
}
