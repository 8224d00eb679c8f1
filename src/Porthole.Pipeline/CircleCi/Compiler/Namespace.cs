using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// The elements visible from one place (§A4): the config's own commands, executors and jobs and its orbs by alias, or an
/// orb's. Inside an orb, siblings are named without a prefix and imported orbs through their alias; a job or command of an
/// orb can also use the config's global commands (RC "Jobs defined in an orb").
/// </summary>
internal sealed class Namespace(string? alias, Namespace? global)
{
    /// <summary>The alias the orb was imported under, null for the config itself.</summary>
    public string? Alias { get; } = alias;

    public bool IsOrb => Alias is not null;

    public Namespace? Global { get; } = global;

    public Dictionary<string, Element> Commands { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Element> Executors { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Element> Jobs { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Namespace> Orbs { get; } = new(StringComparer.Ordinal);

    /// <summary>The <see cref="Find"/> problem of a reference into an orb that could not be imported: that was reported at the orbs: entry.</summary>
    public const string Reported = "";

    /// <summary>Aliases whose import failed (reported at the <c>orbs:</c> entry); references through them are not reported again.</summary>
    public HashSet<string> Unavailable { get; } = new(StringComparer.Ordinal);

    /// <summary>A name as the config refers to it: <c>node/install</c> for an orb's <c>install</c>.</summary>
    public string Qualify(string name) => Alias is null ? name : $"{Alias}/{name}";

    /// <summary>Reads a definitions map (<c>commands:</c>, <c>executors:</c>, <c>jobs:</c>) into <paramref name="into"/>.</summary>
    public void Define(ElementKind kind, Node? definitions, ErrorList errors)
    {
        if (definitions is null)
        {
            return;
        }

        var into = kind switch
        {
            ElementKind.Command => Commands,
            ElementKind.Executor => Executors,
            _ => Jobs,
        };
        var what = kind switch
        {
            ElementKind.Command => "commands",
            ElementKind.Executor => "executors",
            _ => "jobs",
        };
        if (Expect.Map(definitions, what, errors) is not { } map)
        {
            return;
        }

        foreach (var entry in map.Entries)
        {
            if (entry.Name.Contains('/', StringComparison.Ordinal))
            {
                errors.Add(entry.Key, $"'{entry.Name}' cannot be defined: a / separates an orb's alias from its element's name");
                continue;
            }

            into[entry.Name] = new Element(kind, entry.Name, entry, this);
        }
    }

    /// <summary>
    /// The element <paramref name="reference"/> names from here: <c>name</c> (a sibling; for commands also a global one)
    /// or <c>alias/name</c> (an element of an orb imported here). Null when there is none; <paramref name="problem"/> then
    /// says why when the reference has an orb alias that is unknown (<see cref="Reported"/>: the orb's import failed, said already).
    /// </summary>
    public Element? Find(ElementKind kind, string reference, out string? problem)
    {
        problem = null;
        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            var own = Table(kind).GetValueOrDefault(reference);
            return own ?? (kind == ElementKind.Command && IsOrb ? Global?.Table(kind).GetValueOrDefault(reference) : null);
        }

        var alias = reference[..slash];
        var name = reference[(slash + 1)..];
        if (Unavailable.Contains(alias))
        {
            problem = Reported;
            return null;
        }

        if (!Orbs.TryGetValue(alias, out var orb))
        {
            problem = Orbs.Count == 0
                ? $"'{reference}' names an element of orb '{alias}', and no orb is imported under orbs:"
                : $"'{reference}' names an element of orb '{alias}', which is not imported under orbs: (imported: {string.Join(", ", Orbs.Keys)})";
            return null;
        }

        var found = orb.Table(kind).GetValueOrDefault(name);
        if (found is null)
        {
            var kinds = kind.ToString().ToLowerInvariant() + "s";
            problem = orb.Table(kind).Count == 0
                ? $"orb '{alias}' has no {kinds}, so '{reference}' is not one"
                : $"orb '{alias}' has no {kind.ToString().ToLowerInvariant()} '{name}' (its {kinds}: {string.Join(", ", orb.Table(kind).Keys)})";
        }

        return found;
    }

    private Dictionary<string, Element> Table(ElementKind kind) => kind switch
    {
        ElementKind.Command => Commands,
        ElementKind.Executor => Executors,
        _ => Jobs,
    };
}
