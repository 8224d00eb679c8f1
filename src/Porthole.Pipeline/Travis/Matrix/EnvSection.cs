using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// The root <c>env:</c> as travis-yml normalizes it (§B9): a string or a list is <c>env.jobs</c>, <c>env.matrix</c> is
/// <c>env.jobs</c>, and a map of variables is one <c>env.jobs</c> entry. Entries stay the nodes written (a string
/// <c>"A=1 B=2"</c>, a map of variables, or a <c>secure:</c> map); nested lists are flattened, as Travis flattens them.
/// </summary>
/// <param name="Present">The root has a non-empty <c>env</c>: then <c>env</c> is an axis of the expansion.</param>
/// <param name="Global">The <c>env.global</c> entries, given to every job first.</param>
/// <param name="Jobs">The <c>env.jobs</c> entries: one job each.</param>
/// <param name="At">The root's env node, where the expanded jobs' env lists point.</param>
internal sealed record EnvSection(bool Present, IReadOnlyList<Node> Global, IReadOnlyList<Node> Jobs, Node? At)
{
    public static EnvSection None { get; } = new(false, [], [], null);

    public static EnvSection Read(Node? env, ErrorList errors)
    {
        switch (env)
        {
            case null or ScalarNode { IsNull: true }:
                return None;
            case MapNode map:
                return ReadMap(map, errors);
            case ScalarNode { Value: "" }:
                return None;
            default:
                var jobs = Entries(env);
                return new(jobs.Count > 0, [], jobs, env);
        }
    }

    /// <summary>An env value as its list of entries: a string or a map is one entry, a list its items.</summary>
    public static IReadOnlyList<Node> Entries(Node env)
    {
        var entries = new List<Node>();
        Flatten(env, entries);
        return entries;
    }

    private static EnvSection ReadMap(MapNode map, ErrorList errors)
    {
        IReadOnlyList<Node> global = [];
        IReadOnlyList<Node> jobs = [];
        var variables = new List<MapEntry>();
        string? jobsKey = null;
        foreach (var entry in map.Entries)
        {
            switch (entry.Name)
            {
                case "global":
                    global = entry.Value is ScalarNode { IsNull: true } ? [] : Entries(entry.Value);
                    break;
                case "jobs" or "matrix":
                    if (jobsKey is not null && jobsKey != entry.Name)
                    {
                        errors.Warn(entry.Key, "'matrix' is another name for 'jobs' in env and both are given; env.jobs is used");
                        if (entry.Name == "matrix")
                        {
                            break;
                        }
                    }

                    jobsKey = entry.Name;
                    jobs = entry.Value is ScalarNode { IsNull: true } ? [] : Entries(entry.Value);
                    break;
                default:
                    variables.Add(entry);
                    break;
            }
        }

        if (variables.Count > 0)
        {
            if (jobsKey is null)
            {
                // travis-yml prefixes a map of variables with env.jobs: it is one entry, one job.
                jobs = [NodeFactory.Map(map.Start, variables, map.Via)];
            }
            else
            {
                foreach (var variable in variables)
                {
                    errors.Add(variable.Key, $"unknown env key '{variable.Name}'; beside env.{jobsKey}, env takes only global:");
                }
            }
        }

        return new(global.Count > 0 || jobs.Count > 0, global, jobs, map);
    }

    private static void Flatten(Node node, List<Node> entries)
    {
        if (node is ListNode list)
        {
            foreach (var item in list.Items)
            {
                Flatten(item, entries);
            }
        }
        else
        {
            entries.Add(node);
        }
    }
}
