using System.Text.RegularExpressions;
using Porthole.Contracts.Plans;
using Porthole.Pipeline.Orbs;
using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Imports the orbs of an <c>orbs:</c> map (§A4): inline orbs from their definition, registry orbs
/// (<c>ns/name@version</c>) from the <see cref="IOrbSource"/> — never from a network — and the orbs those import in turn.
/// Pipeline parameters are substituted in the config's own <c>orbs:</c> versions (§A0 step 3), never inside an orb.
/// </summary>
internal sealed partial class OrbImporter(IOrbSource? source, ErrorList errors, TemplateScope pipelineScope, Namespace global)
{
    /// <summary>Registry orbs nest at most this deep (an orb importing an orb importing…).</summary>
    private const int MaxDepth = 20;

    private readonly Dictionary<string, MapNode?> _loaded = new(StringComparer.Ordinal);
    private readonly List<string> _importing = [];
    private readonly List<OrbUse> _used = [];

    /// <summary>Every registry orb imported, at the version the store resolved it to, in import order.</summary>
    public IReadOnlyList<OrbUse> Used => _used;

    /// <summary>Imports <paramref name="orbs"/> (an <c>orbs:</c> value) into <paramref name="into"/>.</summary>
    public void Import(Node? orbs, Namespace into)
    {
        if (orbs is null || Expect.Map(orbs, "orbs", errors) is not { } map)
        {
            return;
        }

        foreach (var entry in map.Entries)
        {
            if (!AliasPattern().IsMatch(entry.Name))
            {
                errors.Add(entry.Key, $"'{entry.Name}' is not an orb alias; use letters, digits, - and _");
                continue;
            }

            var orb = entry.Value switch
            {
                MapNode inline => Inline(entry.Name, inline),
                ScalarNode { IsNull: false } reference => Registry(entry, reference, into),
                _ => Invalid(entry),
            };
            if (orb is not null)
            {
                into.Orbs[entry.Name] = orb;
            }
            else
            {
                into.Unavailable.Add(entry.Name);
            }
        }
    }

    private Namespace? Invalid(MapEntry entry)
    {
        errors.Add(entry.Value, $"orb '{entry.Name}' must be a reference such as circleci/node@5.2.0 or an inline orb's map, found {entry.Value.Describe()}");
        return null;
    }

    private Namespace Inline(string alias, MapNode body)
    {
        var orb = new Namespace(alias, global);
        Fill(orb, body, inline: true);
        return orb;
    }

    private Namespace? Registry(MapEntry entry, ScalarNode scalar, Namespace into)
    {
        // Only the config's own orbs: section sees pipeline parameters (§A0 step 3).
        var text = into.IsOrb ? scalar.Value : Template.Render(scalar, pipelineScope, errors);
        if (text is null)
        {
            return null;
        }

        if (!OrbReference.TryParse(text.Trim(), out var reference, out var problem))
        {
            errors.Add(scalar, problem);
            return null;
        }

        var document = source?.Find(reference);
        if (document is null)
        {
            errors.Refuse(
                scalar,
                "registry orbs",
                $"orb {reference} is not in the orb store; add it with 'porthole orb fetch {reference}' or 'porthole orb import FILE {reference.Namespace}/{reference.Name}@X.Y.Z'");
            return null;
        }

        if (_importing.Contains(document.Reference))
        {
            errors.Add(scalar, $"orb {document.Reference} imports itself: {string.Join(" → ", _importing.Append(document.Reference))}");
            return null;
        }

        if (_importing.Count >= MaxDepth)
        {
            errors.Add(scalar, $"orbs import orbs more than {MaxDepth} deep here");
            return null;
        }

        if (!_used.Any(use => use.Alias == entry.Name && use.Version == document.Version && use.Reference == text))
        {
            _used.Add(new OrbUse(entry.Name, text.Trim(), $"{document.Namespace}/{document.Name}@{document.Version}"));
        }

        var body = Load(document, scalar);
        if (body is null)
        {
            return null;
        }

        var orb = new Namespace(entry.Name, global);
        _importing.Add(document.Reference);
        Fill(orb, body, inline: false);
        _importing.RemoveAt(_importing.Count - 1);
        return orb;
    }

    private MapNode? Load(OrbDocument document, ScalarNode at)
    {
        if (_loaded.TryGetValue(document.Reference, out var cached))
        {
            return cached;
        }

        var before = errors.Count;
        var root = YamlLoader.Load(document.Text, errors, file: document.Reference);
        MapNode? body = null;
        if (errors.Count == before)
        {
            if (root is MapNode map)
            {
                body = map;
            }
            else
            {
                errors.Add(at, $"orb {document.Reference} in the orb store is not an orb: its source is {root?.Describe() ?? "empty"}, not a map");
            }
        }
        else
        {
            errors.Add(at, $"orb {document.Reference} in the orb store is not valid YAML (its errors are listed under {document.Reference})");
        }

        _loaded[document.Reference] = body;
        return body;
    }

    private void Fill(Namespace orb, MapNode body, bool inline)
    {
        foreach (var entry in body.Entries)
        {
            switch (entry.Name)
            {
                case "commands":
                    orb.Define(ElementKind.Command, entry.Value, errors);
                    break;
                case "executors":
                    orb.Define(ElementKind.Executor, entry.Value, errors);
                    break;
                case "jobs":
                    orb.Define(ElementKind.Job, entry.Value, errors);
                    break;
                case "orbs":
                    Import(entry.Value, orb);
                    break;
                case "version" or "description" or "display" or "examples":
                    break;
                default:
                    // A packaged orb may carry keys newer than this reader; an inline orb is the user's own text.
                    if (inline)
                    {
                        errors.Add(entry.Key, $"unknown key '{entry.Name}' in inline orb '{orb.Alias}'; an orb holds commands, executors, jobs, orbs and description");
                    }

                    break;
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,100}$")]
    private static partial Regex AliasPattern();
}
