using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// The root <c>jobs:</c> (or <c>matrix:</c>) as travis-yml normalizes it (§B9): a list is <c>jobs.include</c>,
/// <c>allowed_failures</c> is <c>allow_failures</c>, <c>fast_failure</c> is <c>fast_finish</c>, and a single map where a
/// list is expected is a list of one. Include entries must be maps; Travis drops any other silently, Porthole says so.
/// </summary>
internal sealed record JobsSection(
    IReadOnlyList<MapNode> Includes,
    IReadOnlyList<MatchEntry> Excludes,
    IReadOnlyList<MatchEntry> AllowFailures,
    bool FastFinish)
{
    private static readonly Dictionary<string, string> Keys = new(StringComparer.Ordinal)
    {
        ["include"] = "include",
        ["exclude"] = "exclude",
        ["allow_failures"] = "allow_failures",
        ["allowed_failures"] = "allow_failures",
        ["fast_finish"] = "fast_finish",
        ["fast_failure"] = "fast_finish",
    };

    public static JobsSection None { get; } = new([], [], [], false);

    public static JobsSection Read(Node? jobs, ErrorList errors)
    {
        switch (jobs)
        {
            case null or ScalarNode { IsNull: true }:
                return None;
            case ListNode list:
                return None with { Includes = ReadIncludes(list, errors) };
            case MapNode map:
                return ReadMap(map, errors);
            default:
                errors.Add(jobs, $"jobs must be a map with include, exclude, allow_failures or fast_finish, or a list of jobs, found {jobs.Describe()}");
                return None;
        }
    }

    private static JobsSection ReadMap(MapNode map, ErrorList errors)
    {
        var section = None;
        var others = new List<MapEntry>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map.Entries)
        {
            if (!Keys.TryGetValue(entry.Name, out var key))
            {
                others.Add(entry);
                continue;
            }

            if (seen.TryGetValue(key, out var before) && before != entry.Name)
            {
                errors.Warn(entry.Key, $"'{(before == key ? entry.Name : before)}' is another name for 'jobs.{key}' and both are given; '{key}' is used");
                if (before == key)
                {
                    continue;
                }
            }

            seen[key] = entry.Name;
            section = key switch
            {
                "include" => section with { Includes = ReadIncludes(entry.Value, errors) },
                "exclude" => section with { Excludes = ReadMatches(entry.Value, "jobs.exclude", errors) },
                "allow_failures" => section with { AllowFailures = ReadMatches(entry.Value, "jobs.allow_failures", errors) },
                _ => section with { FastFinish = entry.Value is not ScalarNode { IsNull: true } && Expect.Bool(entry.Value, $"jobs.{entry.Name}", errors) == true },
            };
        }

        if (others.Count == 0)
        {
            return section;
        }

        if (seen.ContainsKey("include"))
        {
            foreach (var other in others)
            {
                errors.Add(other.Key, $"unknown key '{other.Name}' in jobs; jobs takes include, exclude, allow_failures and fast_finish");
            }

            return section;
        }

        // travis-yml reads the other keys of a jobs map as one jobs.include entry.
        errors.Warn(others[0].Key, $"jobs.{others[0].Name} is not a jobs key: the keys other than include, exclude, allow_failures and fast_finish make one jobs.include entry");
        return section with { Includes = [NodeFactory.Map(others[0].Key.Start, others, map.Via)] };
    }

    private static List<MapNode> ReadIncludes(Node include, ErrorList errors)
    {
        var entries = new List<MapNode>();
        if (include is ScalarNode { IsNull: true })
        {
            return entries;
        }

        foreach (var item in include is ListNode list ? list.Items : [include])
        {
            switch (item)
            {
                case MapNode map:
                    entries.Add(map);
                    break;
                case ScalarNode { IsNull: true }:
                    errors.Warn(item, "an empty jobs.include entry adds no job; write '- {}' for a job made of the root's keys alone");
                    break;
                case ScalarNode text:
                    errors.Add(item, $"a jobs.include entry must be a map of job keys such as 'rvm: 3.2', found the string '{text.Value}'");
                    break;
                default:
                    errors.Add(item, $"a jobs.include entry must be a map of job keys, found {item.Describe()}");
                    break;
            }
        }

        return entries;
    }

    private static List<MatchEntry> ReadMatches(Node section, string name, ErrorList errors)
    {
        var entries = new List<MatchEntry>();
        foreach (var item in section is ListNode list ? list.Items : [section])
        {
            switch (item)
            {
                case MapNode map:
                    entries.Add(MatchEntry.Read(map, errors));
                    break;
                case ScalarNode { IsNull: true }:
                    break;
                case ScalarNode text:
                    errors.Add(item, $"a {name} entry must be a map of job keys such as 'rvm: 3.2', found the string '{text.Value}'");
                    break;
                default:
                    errors.Add(item, $"a {name} entry must be a map of job keys, found {item.Describe()}");
                    break;
            }
        }

        return entries;
    }
}
