using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.CircleCi.Compiler;

/// <summary>
/// Resolves a job's <c>executor:</c> (a name, or <c>{name, …arguments}</c>) and merges the executor into the job (§A1.4):
/// every key the job sets replaces the executor's wholesale, except <c>environment</c>, which is merged with the job's
/// values winning. A job and its executor naming different executor types is an error (§14.3).
/// </summary>
internal sealed class ExecutorMerger(CompileSession session)
{
    private static readonly string[] Types = ["docker", "machine", "macos", "windows"];

    private static readonly HashSet<string> ExecutorKeys = new(StringComparer.Ordinal)
    {
        "docker", "machine", "macos", "windows", "resource_class", "shell", "working_directory", "environment",
    };

    /// <summary><paramref name="job"/> (already substituted) with its executor merged in and the <c>executor</c> key gone.</summary>
    public MapNode Merge(MapNode job, MapEntry executor, Namespace owner)
    {
        var errors = session.Errors;
        var (name, arguments, at) = Read(executor.Value);
        if (name is null)
        {
            return job;
        }

        var element = owner.Find(ElementKind.Executor, name, out var problem);
        if (element is null)
        {
            if (problem != Namespace.Reported)
            {
                errors.Add(at, problem ?? $"executor '{name}' is not defined under executors");
            }

            // Left in: the reader then judges no step against a guessed executor.
            return job;
        }

        if (element.Body(errors) is not { } body)
        {
            return job;
        }

        var declared = session.Declarations(element, body);
        var bound = session.Bind(element, declared, arguments, at);
        var via = new CallSite(element.Label, at.Start, at.Via);
        var definition = Without(body, "parameters", "description");
        foreach (var key in definition.Entries.Where(e => !ExecutorKeys.Contains(e.Name)))
        {
            errors.Add(key.Key, $"unknown key '{key.Name}' in {element.Label}; an executor holds docker, machine, macos, resource_class, shell, working_directory and environment");
        }

        var substituted = Template.Substitute(definition, session.ScopeOf(element, bound), via, errors, session.Budget) as MapNode;
        return substituted is null ? job : Combine(job, substituted, element, at);
    }

    private (string? Name, IReadOnlyList<MapEntry> Arguments, Node At) Read(Node value)
    {
        var errors = session.Errors;
        switch (value)
        {
            case ScalarNode { IsNull: false } scalar:
                return (scalar.Value, [], scalar);
            case MapNode map when map.TryGet("name", out var name):
                if (name.Value is not ScalarNode { IsNull: false } text)
                {
                    errors.Add(name.Value, $"executor name must be a string, found {name.Value.Describe()}");
                    return (null, [], value);
                }

                return (text.Value, [.. map.Entries.Where(e => e.Name != "name")], value);
            case MapNode:
                errors.Add(value, "an executor map needs name: (the executor's name) besides its arguments");
                return (null, [], value);
            default:
                errors.Add(value, $"executor must be an executor's name or a map with name:, found {value.Describe()}");
                return (null, [], value);
        }
    }

    private MapNode Combine(MapNode job, MapNode executor, Element element, Node at)
    {
        var jobType = Types.FirstOrDefault(job.Has);
        var executorType = Types.FirstOrDefault(executor.Has);
        if (jobType is not null && executorType is not null && jobType != executorType)
        {
            session.Errors.Add(job.TryGet(jobType, out var entry) ? entry.Key : at,
                $"the job sets {jobType} and its {element.Label} sets {executorType}; a job runs on one executor type");
        }

        var entries = new List<MapEntry>();
        foreach (var entry in executor.Entries)
        {
            if (entry.Name == "environment" && job.TryGet("environment", out var own))
            {
                entries.Add(new MapEntry(own.Key, MergeEnvironment(entry.Value, own.Value)));
            }
            else if (!job.Has(entry.Name) && !(Types.Contains(entry.Name) && jobType is not null))
            {
                entries.Add(entry);
            }
        }

        foreach (var entry in job.Entries)
        {
            if (entry.Name != "executor" && !(entry.Name == "environment" && executor.Has("environment")))
            {
                entries.Add(entry);
            }
        }

        return NodeFactory.Map(job.Start, entries, job.Via);
    }

    /// <summary>The executor's variables, then the job's, a job's variable replacing the executor's of the same name.</summary>
    private static Node MergeEnvironment(Node executor, Node job)
    {
        var executorEntries = Entries(executor);
        var jobEntries = Entries(job);
        if (executorEntries is null || jobEntries is null)
        {
            // A shape the reader will refuse; the job's own value is what it reports on.
            return job;
        }

        var names = jobEntries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        return NodeFactory.Map(job.Start, [.. executorEntries.Where(e => !names.Contains(e.Name)), .. jobEntries], job.Via);
    }

    /// <summary>An environment as entries: a map's, or a <c>KEY=VALUE</c> list's; null for any other shape.</summary>
    private static List<MapEntry>? Entries(Node environment)
    {
        switch (environment)
        {
            case MapNode map:
                return [.. map.Entries];
            case ListNode list:
                var entries = new List<MapEntry>();
                foreach (var item in list.Items)
                {
                    if (item is not ScalarNode { IsNull: false } scalar || scalar.Value.IndexOf('=', StringComparison.Ordinal) is var eq && eq <= 0)
                    {
                        return null;
                    }

                    var text = ((ScalarNode)item).Value;
                    var equals = text.IndexOf('=', StringComparison.Ordinal);
                    entries.Add(NodeFactory.Entry(item.Start, text[..equals], NodeFactory.Scalar(item.Start, text[(equals + 1)..], plain: false, item.Via), item.Via));
                }

                return entries;
            default:
                return null;
        }
    }

    public static MapNode Without(MapNode map, params string[] names) =>
        map.Entries.Any(e => names.Contains(e.Name))
            ? NodeFactory.Map(map.Start, [.. map.Entries.Where(e => !names.Contains(e.Name))], map.Via)
            : map;
}
