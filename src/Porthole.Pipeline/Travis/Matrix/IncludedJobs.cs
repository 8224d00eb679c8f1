using Porthole.Pipeline.Yaml;

namespace Porthole.Pipeline.Travis.Matrix;

/// <summary>
/// The jobs of <c>jobs.include</c> (§B9 step 2): each map entry one job, an entry without <c>stage</c> in the stage of
/// the entry before it. A matrix key given a list in an entry does not expand; the job takes its first value.
/// </summary>
internal static class IncludedJobs
{
    public static List<MatrixJob> Read(IReadOnlyList<MapNode> entries, ErrorList errors)
    {
        var jobs = new List<MatrixJob>();
        Node? stage = null;
        foreach (var entry in entries)
        {
            var keys = EntryReader.Read(entry, errors);
            Check(keys, errors);
            var job = new MatrixJob(entry, keys);
            if (keys.Get(MatrixKeys.Env) is { } env)
            {
                job.Env = EnvSection.Entries(env);
                job.EnvAt = env;
                keys.Remove(MatrixKeys.Env);
            }

            if (keys.Get("stage") is { } own)
            {
                stage = own;
            }
            else if (stage is not null)
            {
                keys.Set(NodeFactory.Entry(entry.Start, "stage", stage, entry.Via));
            }

            jobs.Add(job);
        }

        return jobs;
    }

    private static void Check(KeyedNodes keys, ErrorList errors)
    {
        foreach (var key in new[] { "stage", "name" })
        {
            if (keys.Get(key) is { } value and not ScalarNode)
            {
                errors.Add(value, $"a job's {key} must be a string, found {value.Describe()}");
                keys.Remove(key);
            }
        }

        if (keys.Has("if") && MatchEntry.Condition(keys, errors) is null)
        {
            keys.Remove("if");
        }

        if (keys.Get("allow_failure") is { } allowFailure && Expect.Bool(allowFailure, "allow_failure", errors) is null)
        {
            keys.Remove("allow_failure");
        }

        foreach (var entry in keys.Entries.ToList())
        {
            if (MatrixKeys.IsExpandKey(entry.Name) && entry.Name != MatrixKeys.Env && entry.Value is ListNode list)
            {
                var first = list.Items.FirstOrDefault(item => item is not ScalarNode { IsNull: true });
                if (first is null)
                {
                    keys.Remove(entry.Name);
                    continue;
                }

                if (list.Items.Count > 1)
                {
                    errors.Warn(entry.Value, $"a jobs.include entry is one job: its {entry.Name} takes one value, so the first, {Describe(first)}, is used");
                }

                keys.Set(new MapEntry(entry.Key, first));
            }
        }
    }

    private static string Describe(Node node) => node is ScalarNode scalar ? $"'{scalar.Value}'" : node.Describe();
}
